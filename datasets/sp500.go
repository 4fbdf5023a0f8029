package datasets

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Layout says how the per-stock rows become samples (portfolio.md §1.4).
type Layout string

// Layouts. The reference reshapes rows that are ordered symbol-major as if
// they were date-major; sample d, asset a is then the flat row d·A + a, which
// mixes dates of one stock into one sample and leaks the target into the
// features. LayoutLegacy reproduces it so the leak can be shown.
const (
	LayoutDateMajor Layout = "date_major" // sample d, asset a = date d, stock a (default; "" means this)
	LayoutLegacy    Layout = "legacy"     // the reference's symbol-major reshape
)

// SP500Options controls LoadSP500. The zero value is the default.
type SP500Options struct {
	// Tickers is the universe (upper case, as in constituents.csv); nil means
	// SP500Tickers(), the 224 files of the substitute data. Every ticker's
	// file sp500/stocks/<ticker lower case>.us.txt must exist.
	Tickers []string
	// Start and End bound the price window, inclusive, as YYYY-MM-DD;
	// "" means the reference's 2004-01-01 and 2016-12-31.
	Start, End string
	// NAssets is the number of assets n per sample; 0 means 50.
	NAssets int
	// AssetSeed chooses the assets as np.random.seed(AssetSeed);
	// np.random.choice(A, n, replace=False) would: the first n entries of
	// NumpyPermutation(AssetSeed, A), in that order. One selection serves a
	// whole run; the reference's mismatch between its pretraining and DFL
	// assets (§1.5) is two loads with different seeds.
	AssetSeed uint32
	Layout    Layout
	// Norm is the source of the per-feature mean and unbiased sd (shared by
	// the n assets); x ← (x − mean)/(sd + 1e-5) as the reference (§1.6).
	Norm Norm
	// TrainFrac and HoldFrac cut the dates in order; 0 means 0.7 and 0.1
	// (2028 / 289 / 581 of 2898 dates; Hold is the validation block).
	TrainFrac, HoldFrac float64
	// Workers reads and featurizes that many tickers at once; 0 means GOMAXPROCS.
	Workers int
	// AcceptChangedData loads published files whose sha256 differs from
	// the published one (with a warning) instead of refusing them.
	AcceptChangedData bool
}

func (o *SP500Options) defaults() error {
	if o.Tickers == nil {
		o.Tickers = SP500Tickers()
	}
	setString := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	setString(&o.Start, "2004-01-01")
	setString(&o.End, "2016-12-31")
	setString((*string)(&o.Layout), string(LayoutDateMajor))
	if o.NAssets == 0 {
		o.NAssets = 50
	}
	if o.TrainFrac == 0 {
		o.TrainFrac = 0.7
	}
	if o.HoldFrac == 0 {
		o.HoldFrac = 0.1
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	for _, d := range []string{o.Start, o.End} {
		if _, ok := parseDate([]byte(d)); !ok {
			return optionError("start/end", "%q is not YYYY-MM-DD", d)
		}
	}
	switch {
	case o.Layout != LayoutDateMajor && o.Layout != LayoutLegacy:
		return optionError("layout", "%q: want date_major or legacy", o.Layout)
	case o.NAssets < 1 || o.NAssets > len(o.Tickers):
		return optionError("n_assets", "%d assets out of %d tickers", o.NAssets, len(o.Tickers))
	case o.TrainFrac <= 0 || o.HoldFrac <= 0 || o.TrainFrac+o.HoldFrac >= 1:
		return optionError("train_frac/hold_frac", "%v/%v", o.TrainFrac, o.HoldFrac)
	}
	return o.Norm.validate()
}

// stockPanel is the featurized universe: A tickers (sorted), D dates.
type stockPanel struct {
	days    int // trading days in the window
	tickers []string
	dates   []string    // the D sample dates
	feat    [][]float64 // per ticker, D × 28 row-major
	target  [][]float64 // per ticker, D next-day returns
}

// LoadSP500 reads the price files under <dir>/sp500 and builds the portfolio
// dataset (portfolio.md §1): per ticker, the closes of the window, the 28
// features and the next-day return of every date with a full history; the
// tickers lacking a trading day are dropped (with a warning); n assets
// chosen by AssetSeed; samples laid out by Layout; a chronological split;
// features standardised. x_d is the (n, 28) feature matrix flattened
// asset-major (column a·28 + f), y_d the n next-day returns.
func LoadSP500(ctx context.Context, dir string, opts SP500Options) (*Dataset, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	sectors, err := readConstituents(filepath.Join(dir, "sp500", "constituents.csv"))
	if err != nil {
		return nil, err
	}
	series, err := readStocks(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	series, warnings := fullHistory(series)
	changed, err := checkKnownSums(dir, sp500Rels(opts.Tickers), opts.AcceptChangedData)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, changed...)
	if len(series) < opts.NAssets {
		return nil, fmt.Errorf("%d tickers have every trading day, fewer than n_assets = %d: %w", len(series), opts.NAssets, ErrBadData)
	}
	sel := NumpyPermutation(opts.AssetSeed, len(series))[:opts.NAssets]
	// Date-major samples need only the chosen tickers; a legacy slot reads
	// rows of every ticker.
	need := sel
	if opts.Layout == LayoutLegacy {
		need = make([]int, len(series))
		for i := range need {
			need[i] = i
		}
	}
	panel, err := featurize(ctx, series, need, opts.Workers)
	if err != nil {
		return nil, err
	}
	d := panel.dataset(sel, opts.Layout)
	d.Warnings = warnings
	if d.Split, err = chronoSplits(len(panel.dates), opts.TrainFrac, opts.HoldFrac); err != nil {
		return nil, err
	}
	if opts.Norm.orDefault() != NormNone {
		w, err := standardize(d.X, statRows(opts.Norm, d.Split), featureGroups(opts.NAssets), 1, 1e-5, d.XNames)
		if err != nil {
			return nil, err
		}
		d.Warnings = append(d.Warnings, w...)
	}
	d.Meta = panel.meta(sel, sectors, opts)
	for _, t := range panel.tickers {
		if _, ok := sectors[t]; !ok {
			d.Warnings = append(d.Warnings, fmt.Sprintf("ticker %s is not in sp500/constituents.csv", t))
		}
	}
	return d, nil
}

// readStocks reads every ticker's file, Workers at a time, in ticker order.
func readStocks(ctx context.Context, dir string, o SP500Options) ([]*stockSeries, error) {
	tickers := slices.Clone(o.Tickers)
	slices.Sort(tickers)
	for i := 1; i < len(tickers); i++ {
		if tickers[i] == tickers[i-1] {
			return nil, optionError("tickers", "%s listed twice", tickers[i])
		}
	}
	start, _ := parseDate([]byte(o.Start))
	end, _ := parseDate([]byte(o.End))
	out := make([]*stockSeries, len(tickers))
	errs := make([]error, len(tickers))
	bufs := make([][]byte, o.Workers)
	parallelFor(ctx, len(tickers), o.Workers, func(w, i int) {
		path := filepath.Join(dir, "sp500", "stocks", stockFile(tickers[i]))
		out[i], errs[i] = readStock(path, tickers[i], start, end, &bufs[w])
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parallelFor runs f(w, i) for i = 0..n−1 on workers goroutines (w is the
// worker's index, for per-worker buffers), stopping early when ctx is done.
func parallelFor(ctx context.Context, n, workers int, f func(w, i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(w, i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// fullHistory keeps the tickers that trade on every date of the calendar of
// the ticker with most rows (the reference keeps the symbols with the
// maximal row count) and reports the others.
func fullHistory(series []*stockSeries) (kept []*stockSeries, warnings []string) {
	ref := series[0]
	for _, s := range series {
		if len(s.dates) > len(ref.dates) {
			ref = s
		}
	}
	for _, s := range series {
		if slices.Equal(s.dates, ref.dates) {
			kept = append(kept, s)
			continue
		}
		warnings = append(warnings, fmt.Sprintf("ticker %s: %d of the %d trading days of %s; dropped",
			s.ticker, len(s.dates), len(ref.dates), ref.ticker))
	}
	return kept, warnings
}

// featurize computes the features and targets of the tickers series[i],
// i in need (the others stay nil).
func featurize(ctx context.Context, series []*stockSeries, need []int, workers int) (*stockPanel, error) {
	T := len(series[0].dates)
	t0, n := stockRows(T)
	if n <= 0 {
		return nil, fmt.Errorf("%d trading days in the window; the features need more than %d: %w", T, stockLookback+stockAhead, ErrBadData)
	}
	p := &stockPanel{days: T}
	for _, d := range series[0].dates[t0 : t0+n] {
		p.dates = append(p.dates, formatDate(d))
	}
	p.feat = make([][]float64, len(series))
	p.target = make([][]float64, len(series))
	for _, s := range series {
		p.tickers = append(p.tickers, s.ticker)
	}
	parallelFor(ctx, len(need), workers, func(_, k int) {
		i := need[k]
		p.feat[i], p.target[i] = stockFeatures(series[i].close)
	})
	return p, ctx.Err()
}

// featureGroups groups the columns a·28+f of each feature f across assets,
// which share one mean and sd.
func featureGroups(nAssets int) [][]int {
	g := make([][]int, NumStockFeatures)
	for f := range g {
		for a := 0; a < nAssets; a++ {
			g[f] = append(g[f], a*NumStockFeatures+f)
		}
	}
	return g
}

// dataset lays out the selected assets. Date-major: X[d, k·28+f] is feature
// f of ticker sel[k] on date d. Legacy (portfolio.md §1.4): the rows ordered
// by (ticker, date) are flattened and sample d, asset slot sel[k] is flat row
// m = d·A + sel[k], i.e. ticker m / D on date m mod D.
func (p *stockPanel) dataset(sel []int, layout Layout) *Dataset {
	A, D := len(p.tickers), len(p.dates)
	n := len(sel)
	d := &Dataset{Name: "portfolio", RowID: p.dates}
	d.X = mat.NewDense(D, n*NumStockFeatures, nil)
	d.Y = mat.NewDense(D, n, nil)
	names := SP500FeatureNames()
	for _, a := range sel {
		label := p.tickers[a]
		if layout == LayoutLegacy {
			label = fmt.Sprintf("slot%03d", a)
		}
		d.YNames = append(d.YNames, label)
		for _, f := range names {
			d.XNames = append(d.XNames, label+":"+f)
		}
	}
	// Rows outermost: each sample's 1400 values are written contiguously.
	for r := 0; r < D; r++ {
		x, y := d.X.RawRowView(r), d.Y.RawRowView(r)
		for k, a := range sel {
			s, e := a, r
			if layout == LayoutLegacy {
				m := r*A + a
				s, e = m/D, m%D
			}
			copy(x[k*NumStockFeatures:(k+1)*NumStockFeatures], p.feat[s][e*NumStockFeatures:(e+1)*NumStockFeatures])
			y[k] = p.target[s][e]
		}
	}
	return d
}

// meta records how the table was made.
func (p *stockPanel) meta(sel []int, sectors map[string]string, o SP500Options) map[string]string {
	chosen := make([]string, len(sel))
	sec := make([]string, len(sel))
	for k, a := range sel {
		chosen[k] = p.tickers[a]
		sec[k] = sectors[p.tickers[a]]
	}
	if o.Layout == LayoutLegacy {
		// A legacy slot is not a stock: its column mixes tickers and dates.
		for k, a := range sel {
			chosen[k] = fmt.Sprintf("slot%03d", a)
			sec[k] = ""
		}
	}
	m := map[string]string{
		"universe":     strings.Join(p.tickers, ","),
		"assets":       strings.Join(chosen, ","),
		"sectors":      strings.Join(sec, ","),
		"asset_seed":   strconv.FormatUint(uint64(o.AssetSeed), 10),
		"layout":       string(o.Layout),
		"norm":         string(o.Norm.orDefault()),
		"window":       o.Start + ".." + o.End,
		"train_frac":   strconv.FormatFloat(o.TrainFrac, 'g', -1, 64),
		"hold_frac":    strconv.FormatFloat(o.HoldFrac, 'g', -1, 64),
		"sample_days":  p.dates[0] + ".." + p.dates[len(p.dates)-1],
		"trading_days": strconv.Itoa(p.days),
	}
	return m
}
