package stages

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// Parameters shared by the data kinds.
func dataParams() []pipeline.ParamSpec {
	return []pipeline.ParamSpec{
		seedParam("the run's seed: each seed gets its own hold-out split (numpy permutation seed; portfolio: the asset choice when asset_seed is −1)"),
		intParam("max_train", 0, "keep only the first rows of the train split (0 = all); for quick profiles"),
		intParam("max_hold", 0, "keep only the first rows of the hold split (0 = all)"),
		intParam("max_test", 0, "keep only the first rows of the test split (0 = all)"),
	}
}

var dataOutputs = []pipeline.PortSpec{{Name: "table", Doc: "the dataset: row_id, split, x:<feature>…, y:<target>… (datasets.Dataset.Record); metadata label and run_seed"}}

var dataSyntheticKind = pipeline.Kind{
	Name: "data-synthetic",
	Doc: "The synthetic allocation data (synthetic.md §1): each y_d is 0.5 w.p. 0.9 and −1.5 otherwise plus " +
		"N(0, 0.075²) noise, x ~ N(0, I). The reference's y does not depend on x; context > 0 makes the " +
		"mixture weight a logistic function of a fixed projection of x. Splits: first 80% train block, of which " +
		"a seeded 20% is held out; the rest is test. source=reference reads the reference's exact torch draw.",
	Params: specs(dataParams(), []pipeline.ParamSpec{
		enumParam("source", "generate", "generate the mixture with data_seed, or read the reference's seed-1 draw (synthetic/reference_seed1_{X,Y}.csv)", "generate", "reference"),
		intParam("n", 1000, "rows generated"),
		intParam("x_dim", 20, "feature width"),
		intParam("y_dim", 10, "target width (the allocation's dimension n)"),
		floatParam("context", 0, "strength of the dependence of y on x (0 = the reference's y ⟂ x)"),
		intParam("data_seed", -1, "seed of the generated data (−1 = the run's seed, so seeds differ in their draw and the spread over seeds includes test-sampling variance; the reference uses 1 for every run)"),
		intParam("projection_seed", 1, "seed of the context projection W (fixed across seeds: one data-generating process)"),
		{Name: "label", Type: pipeline.String, Default: "", Doc: "dataset label the results report under (\"\" = synthetic, or synthetic-context when context ≠ 0); " +
			"a second label on the same data keeps, say, a large-M evaluation apart from the training-M one"},
	}),
	Outputs: dataOutputs,
	Files:   syntheticFiles,
	Run:     runDataSynthetic,
}

// syntheticFiles declares the reference CSVs when source=reference.
func syntheticFiles(p pipeline.Params) ([]pipeline.FileDep, error) {
	if p.String("source") != "reference" {
		return nil, nil
	}
	return []pipeline.FileDep{
		{Name: "x", Path: "synthetic/reference_seed1_X.csv"},
		{Name: "y", Path: "synthetic/reference_seed1_Y.csv"},
	}, nil
}

// runDataSynthetic is the Run function of the data-synthetic kind.
func runDataSynthetic(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	if err := positive(p, "n", "x_dim", "y_dim"); err != nil {
		return nil, err
	}
	dataSeed := p.Int("data_seed")
	if dataSeed == -1 {
		dataSeed = p.Int("seed")
	}
	if dataSeed < 0 || p.Int("projection_seed") < 0 {
		return nil, fmt.Errorf("%w: data_seed = %d, projection_seed = %d, want ≥ 0 (data_seed −1: the run's seed)", ErrParam, p.Int("data_seed"), p.Int("projection_seed"))
	}
	opts := datasets.SyntheticOptions{N: p.Int("n"), XDim: p.Int("x_dim"), YDim: p.Int("y_dim"),
		Context: p.Float("context"), ProjectionSeed: uint64(p.Int("projection_seed")), HoldSeed: uint32(p.Int("seed"))}
	var d *datasets.Dataset
	var err error
	if p.String("source") == "reference" {
		d, err = datasets.LoadSyntheticReference(dataDir(in.Files["x"], 2), opts)
	} else {
		d, err = datasets.Synthetic(opts, newRNG(dataSeed, streamData))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	if p.String("source") != "reference" {
		d.Meta["data_seed"] = strconv.Itoa(dataSeed)
	}
	return dataOutput(d, TaskSynthetic, p, r)
}

// LabelSyntheticContext is the dataset label of the contextual synthetic
// variant (data-synthetic with context ≠ 0).
const LabelSyntheticContext = "synthetic-context"

// LabelPortfolioRiskAverse is the dataset label of the risk-averse portfolio
// variant (date-major data-portfolio with a larger alpha).
const LabelPortfolioRiskAverse = "portfolio-risk-averse"

// paperComparable reports whether the paper has numbers for a dataset
// label: not for the contextual synthetic variant, the risk-averse
// portfolio (the paper has α = 1e-6 only), nor for an evaluation at
// a large M under a "<label>-m<M>" label, which the reference never ran.
func paperComparable(label string) bool {
	if strings.HasPrefix(label, LabelSyntheticContext) || strings.HasPrefix(label, LabelPortfolioRiskAverse) {
		return false
	}
	i := strings.LastIndex(label, "-m")
	if i < 0 || i+2 == len(label) {
		return true
	}
	_, err := strconv.Atoi(label[i+2:])
	return err != nil
}

// syntheticLabel is the dataset label of synthetic data: the label param,
// else synthetic-context for the contextual variant, else synthetic.
func syntheticLabel(p pipeline.Params) string {
	switch {
	case p.String("label") != "":
		return p.String("label")
	case p.Float("context") != 0:
		return LabelSyntheticContext
	}
	return TaskSynthetic
}

var dataPowerKind = pipeline.Kind{
	Name: "data-power",
	Doc: "The PJM load data (power.md §1): 149 features of day d−1's loads and temperatures and day d's " +
		"calendar, the 24 hourly loads of day d as raw-unit targets; chronological 80/20 train/test with a " +
		"seeded 20% hold-out of the training block. The 2012–16 file's temperature column is corrupt " +
		"(constant on every test day): kept by default, reported as a warning, droppable.",
	Params: specs(dataParams(), []pipeline.ParamSpec{
		enumParam("norm", "train", "feature z-score statistics from the train rows, or from all rows as the reference (leaks test statistics)", "train", "legacy"),
		boolParam("drop_temperature", false, "drop the 120 temperature features (power.md §7.1)"),
		acceptChangedParam(),
	}),
	Outputs: dataOutputs,
	Files:   powerFiles,
	Run:     runDataPower,
}

// powerFiles declares the two PJM files.
func powerFiles(pipeline.Params) ([]pipeline.FileDep, error) {
	return []pipeline.FileDep{
		{Name: "pjm2008", Path: "pjm/" + datasets.PJMFile2008},
		{Name: "pjm2012", Path: "pjm/" + datasets.PJMFile2012},
	}, nil
}

// runDataPower is the Run function of the data-power kind.
func runDataPower(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	d, err := datasets.LoadPJM(dataDir(in.Files["pjm2008"], 2), datasets.PJMOptions{
		Norm: datasets.Norm(p.String("norm")), HoldSeed: uint32(p.Int("seed")), DropTemperature: p.Bool("drop_temperature"),
		AcceptChangedData: p.Bool("accept_changed_data")})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return dataOutput(d, TaskPower, p, r)
}

var dataPortfolioKind = pipeline.Kind{
	Name: "data-portfolio",
	Doc: "The S&P 500 portfolio data (portfolio.md §1): 28 features per stock and date, the next-day returns " +
		"of n seeded assets as targets, dates split 70/10/20 in order. layout=legacy reproduces the " +
		"reference's symbol-major reshape, which leaks the target into the features (dataset label " +
		"portfolio-legacy); date_major is the correct layout (label portfolio). The risk aversion α is part of the " +
		"dataset: every stage that reads it (DFL, policy, evaluate, hindsight) decides with that α.",
	Params: specs(dataParams(), []pipeline.ParamSpec{
		enumParam("norm", "train", "feature statistics from the train rows, or from all rows as the reference", "train", "legacy"),
		enumParam("layout", "date_major", "date_major (correct) or legacy (the reference's leaky symbol-major reshape)", "date_major", "legacy"),
		intParam("assets", 50, "n, the number of assets per sample"),
		intParam("asset_seed", -1, "numpy seed of the asset choice (−1 = seed): one selection for pretraining, DFL and evaluation"),
		floatParam("alpha", PortfolioAlpha, "risk aversion α of f(y, z) = (α/2)(yᵀz)² − yᵀz (portfolio.md §2.1), recorded in the dataset "+
			"(1e-6 = the reference's, where the optimum is a single asset; larger α spreads the portfolio: the portfolio-risk-averse rows)"),
		{Name: "label", Type: pipeline.String, Default: "", Doc: "dataset label the results report under (\"\" = portfolio, or portfolio-legacy for the legacy layout); " +
			"a variant of the task (another α) on the same rows reports under its own label"},
		acceptChangedParam(),
	}),
	Outputs: dataOutputs,
	Files:   portfolioFiles,
	Run:     runDataPortfolio,
}

// portfolioFiles declares the price files and the constituents list.
func portfolioFiles(pipeline.Params) ([]pipeline.FileDep, error) {
	return []pipeline.FileDep{
		{Name: "stocks", Path: "sp500/stocks"},
		{Name: "constituents", Path: "sp500/constituents.csv"},
	}, nil
}

// runDataPortfolio is the Run function of the data-portfolio kind.
func runDataPortfolio(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	if err := positive(p, "assets"); err != nil {
		return nil, err
	}
	seed := p.Int("asset_seed")
	if seed == -1 {
		seed = p.Int("seed")
	}
	if seed < 0 {
		return nil, fmt.Errorf("%w: asset_seed = %d, want ≥ 0 or −1", ErrParam, seed)
	}
	d, err := datasets.LoadSP500(ctx, dataDir(in.Files["constituents"], 2), datasets.SP500Options{
		NAssets: p.Int("assets"), AssetSeed: uint32(seed), Layout: datasets.Layout(p.String("layout")),
		Norm: datasets.Norm(p.String("norm")), AcceptChangedData: p.Bool("accept_changed_data")})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	d.Meta[datasetMetaAlpha] = strconv.FormatFloat(p.Float("alpha"), 'g', -1, 64)
	return dataOutput(d, TaskPortfolio, p, r)
}

// acceptChangedParam lets a data kind use a published file whose sha256
// differs from the published one, knowingly: the param is in the record.
func acceptChangedParam() pipeline.ParamSpec {
	return boolParam("accept_changed_data", false, "use published data files whose sha256 differs from the published one (truncated or edited), with a warning in the dataset's metadata, instead of refusing them")
}

// dataDir returns the data directory of a resolved data file path that
// sits depth levels below it.
func dataDir(path string, depth int) string {
	for range depth {
		path = filepath.Dir(path)
	}
	return path
}

// dataOutput applies the row limits, labels the dataset, logs it and its
// warnings, and returns the table output.
func dataOutput(d *datasets.Dataset, name string, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	if d.Name != name {
		return nil, fmt.Errorf("%w: loader returned dataset %q, want %q", ErrInput, d.Name, name)
	}
	limits := [3]int{p.Int("max_train"), p.Int("max_hold"), p.Int("max_test")}
	for i, l := range limits {
		if l < 0 {
			return nil, fmt.Errorf("%w: %s = %d, want ≥ 0", ErrParam, []string{"max_train", "max_hold", "max_test"}[i], l)
		}
	}
	d = limitSplits(d, limits)
	label := name
	switch {
	case name == TaskPortfolio && p.String("label") != "":
		label = p.String("label")
	case name == TaskPortfolio && d.Meta["layout"] == string(datasets.LayoutLegacy):
		label = LabelPortfolioLegacy
	case name == TaskSynthetic:
		label = syntheticLabel(p)
	}
	d.Meta[datasetMetaLabel] = label
	d.Meta[datasetMetaSeed] = strconv.Itoa(p.Int("seed"))
	if limits != [3]int{} {
		d.Meta[datasetMetaRowsLimits] = fmt.Sprintf("train %d, hold %d, test %d", limits[0], limits[1], limits[2])
	}
	_, dx := d.X.Dims()
	_, dy := d.Y.Dims()
	r.Logf("%s (%s): %d rows (train %d, hold %d, test %d), %d features, %d targets",
		label, name, d.Len(), d.Count(datasets.Train), d.Count(datasets.Hold), d.Count(datasets.Test), dx, dy)
	for _, w := range d.Warnings {
		r.Logf("data warning: %s", w)
	}
	rec, err := d.Record()
	if err != nil {
		return nil, err
	}
	return pipeline.Outputs{"table": rec}, nil
}

// limitSplits keeps the first limits[s] rows of each split s (0 = all), in
// row order. Meta and Warnings are shared with d.
func limitSplits(d *datasets.Dataset, limits [3]int) *datasets.Dataset {
	if limits == [3]int{} {
		return d
	}
	var keep []int
	seen := [3]int{}
	for i, s := range d.Split {
		if limits[s] == 0 || seen[s] < limits[s] {
			keep = append(keep, i)
			seen[s]++
		}
	}
	return selectRows(d, keep)
}

// selectRows returns the rows idx of d, in that order.
func selectRows(d *datasets.Dataset, idx []int) *datasets.Dataset {
	_, dx := d.X.Dims()
	_, dy := d.Y.Dims()
	out := &datasets.Dataset{Name: d.Name, XNames: d.XNames, YNames: d.YNames, Meta: d.Meta, Warnings: d.Warnings,
		X: mat.NewDense(len(idx), dx, nil), Y: mat.NewDense(len(idx), dy, nil),
		RowID: make([]string, len(idx)), Split: make([]datasets.Split, len(idx))}
	for i, r := range idx {
		out.X.SetRow(i, d.X.RawRowView(r))
		out.Y.SetRow(i, d.Y.RawRowView(r))
		out.RowID[i], out.Split[i] = d.RowID[r], d.Split[r]
	}
	return out
}
