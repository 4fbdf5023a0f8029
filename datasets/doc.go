// Package datasets reads and featurizes the three data sources of the
// Diffusion-DFL reproduction and hands them on as feature/target tables.
//
// Every loader returns a *Dataset: a float64 feature matrix X, a target
// matrix Y, a row label (date or index) and the Split of every row (Train,
// Hold or Test). Training stages fit on Train rows, select models on Hold
// rows and report on Test rows; they never see which file a row came from.
// Dataset.Record and FromRecord convert to and from an Arrow record
// (bit-exact), which is how built-in stages pass datasets between each other.
//
// The three sources:
//
//   - Synthetic (spec synthetic.md §1): each coordinate of y drawn from a
//     two-component Gaussian mixture. The reference's y does not depend on x;
//     SyntheticOptions.Context > 0 makes the mixture weight a logistic function
//     of a fixed random projection of x so that the context matters.
//     LoadSyntheticReference reads the exact torch draw when it is present.
//   - PJM load (power.md §1): hourly load and temperature in America/New_York
//     local time (the time zone database is embedded), pivoted to days,
//     149 calendar/weather/load features for day d from day d−1, and the 24
//     hourly loads of day d as target.
//   - S&P 500 (portfolio.md §1): per-ticker price files, 28 features per stock
//     and date, the next-day return as target, a seeded choice of n assets, and
//     the reference's symbol-major tensor layout (which leaks the target into
//     the features) as the LayoutLegacy option.
//
// Every behaviour of the reference that is a bug is an option whose zero or
// default value is the corrected behaviour and whose "legacy" value reproduces
// the reference (normalisation over all rows, symbol-major layout). The hold-out
// permutations use NumpyPermutation, a bit-exact port of numpy's legacy
// RandomState.permutation, so a seed gives the same split as numpy does (and
// the same S&P asset choice as np.random.choice).
//
// Normalisation statistics come from the Train rows by default. The power
// features use the population sd (ddof = 0, as np.std); the portfolio
// features one mean and unbiased sd per feature across the n assets, with
// 1e-5 added to the sd, as the reference does. Targets are never scaled.
//
// Data files live in one directory with the layout
//
//	pjm/pjm_load_data_2008-11.txt, pjm/pjm_load_data_2012-16.txt
//	sp500/constituents.csv, sp500/stocks/<ticker>.us.txt
//	synthetic/reference_seed1_{X,Y}.csv (optional, no public source)
//
// (DefaultDataDir: $PIPE_DATA_DIR or ./data), which Fetch fills from the public
// sources over HTTPS, checking the sha256 of every file. Bad input (truncated or garbled lines, wrong column counts, NaN
// or Inf, timestamps out of order) is reported as an error that wraps
// ErrBadData and names the file and line; a missing file wraps ErrMissing.
package datasets
