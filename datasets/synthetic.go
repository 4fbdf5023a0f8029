package datasets

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// SyntheticOptions controls the synthetic mixture (synthetic.md §1). A zero
// field means the reference's value, given in brackets; Context, YShift and
// the seeds are used as they are.
type SyntheticOptions struct {
	N    int // rows [1000]
	XDim int // features [20]
	YDim int // targets [10]
	// Each y_d is APos + ε with probability PPos and −BNeg + ε otherwise,
	// ε ~ N(0, Sigma²), then scaled: y = YScale·y_raw + YShift.
	PPos   float64 // [0.9]
	APos   float64 // [1]
	BNeg   float64 // [3]
	Sigma  float64 // [0.15]
	YScale float64 // [0.5]
	YShift float64 // [0]
	// Context makes the mixture weight depend on x:
	// P(positive component of y_d | x) = σ(logit(PPos) + Context·(W x)_d),
	// with W a fixed YDim × XDim matrix of N(0, 1/XDim) entries drawn from
	// ProjectionSeed, so (W x)_d is about N(0, 1). 0 is the reference (y ⟂ x).
	Context        float64
	ProjectionSeed uint64
	// Splits: the first int(TrainFrac·N) rows are the training block [0.8],
	// of which a numpy-compatible permutation with HoldSeed holds out
	// HoldFrac [0.2]; the rest is Test. The reference's permutation is
	// unseeded, so no seed reproduces it.
	TrainFrac float64
	HoldFrac  float64
	HoldSeed  uint32
}

func (o *SyntheticOptions) defaults() error {
	setInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setFloat := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	setInt(&o.N, 1000)
	setInt(&o.XDim, 20)
	setInt(&o.YDim, 10)
	setFloat(&o.PPos, 0.9)
	setFloat(&o.APos, 1)
	setFloat(&o.BNeg, 3)
	setFloat(&o.Sigma, 0.15)
	setFloat(&o.YScale, 0.5)
	setFloat(&o.TrainFrac, 0.8)
	setFloat(&o.HoldFrac, 0.2)
	switch {
	case o.N < 0 || o.XDim < 0 || o.YDim < 0:
		return optionError("n/x_dim/y_dim", "negative size %d/%d/%d", o.N, o.XDim, o.YDim)
	case !(o.PPos > 0 && o.PPos < 1):
		return optionError("p_pos", "%v is not in (0, 1)", o.PPos)
	case o.Sigma < 0 || math.IsNaN(o.Context) || math.IsInf(o.Context, 0):
		return optionError("sigma/context", "%v/%v", o.Sigma, o.Context)
	case !(o.TrainFrac > 0 && o.TrainFrac < 1) || !(o.HoldFrac > 0 && o.HoldFrac < 1):
		return optionError("train_frac/hold_frac", "%v/%v are not in (0, 1)", o.TrainFrac, o.HoldFrac)
	}
	return nil
}

// Synthetic draws the synthetic mixture with rng, in the reference's order:
// all of X ~ N(0, 1), then the component indicators, then the noise. Torch's
// stream cannot be reproduced; LoadSyntheticReference reads the exact draw.
func Synthetic(opts SyntheticOptions, rng *rand.Rand) (*Dataset, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	n, p, q := opts.N, opts.XDim, opts.YDim
	X := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			X.Set(i, j, rng.NormFloat64())
		}
	}
	prob := mixtureWeights(X, opts)
	pos := make([]bool, n*q)
	for k := range pos {
		pos[k] = rng.Float64() < prob.RawMatrix().Data[k]
	}
	Y := mat.NewDense(n, q, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < q; j++ {
			raw := -opts.BNeg + opts.Sigma*rng.NormFloat64()
			if pos[i*q+j] {
				raw += opts.APos + opts.BNeg
			}
			Y.Set(i, j, opts.YScale*raw+opts.YShift)
		}
	}
	d, err := syntheticDataset(X, Y, opts)
	if err != nil {
		return nil, err
	}
	d.Meta["source"] = "generated"
	for k, v := range map[string]float64{"p_pos": opts.PPos, "a_pos": opts.APos, "b_neg": opts.BNeg,
		"sigma": opts.Sigma, "y_scale": opts.YScale, "y_shift": opts.YShift, "context": opts.Context} {
		d.Meta[k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	d.Meta["projection_seed"] = strconv.FormatUint(opts.ProjectionSeed, 10)
	return d, nil
}

// mixtureWeights returns P(positive component) per (row, target):
// σ(logit(PPos) + Context·(W x)_d), which is PPos everywhere when Context = 0.
func mixtureWeights(X *mat.Dense, o SyntheticOptions) *mat.Dense {
	n, p := X.Dims()
	prob := mat.NewDense(n, o.YDim, nil)
	if o.Context == 0 {
		for k := range prob.RawMatrix().Data {
			prob.RawMatrix().Data[k] = o.PPos
		}
		return prob
	}
	W := ContextProjection(o.ProjectionSeed, o.YDim, p)
	prob.Mul(X, W.T())
	logit := math.Log(o.PPos / (1 - o.PPos))
	prob.Apply(func(_, _ int, v float64) float64 { return 1 / (1 + math.Exp(-(logit + o.Context*v))) }, prob)
	return prob
}

// ContextProjection returns the fixed q × p projection W of the contextual
// synthetic variant: N(0, 1/p) entries from a PCG stream seeded by seed.
func ContextProjection(seed uint64, q, p int) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0x636f6e74657874)) // stream "context"
	W := mat.NewDense(q, p, nil)
	scale := 1 / math.Sqrt(float64(p))
	for k := range W.RawMatrix().Data {
		W.RawMatrix().Data[k] = scale * rng.NormFloat64()
	}
	return W
}

// syntheticDataset wraps X, Y with names, index row ids and the splits.
func syntheticDataset(X, Y *mat.Dense, o SyntheticOptions) (*Dataset, error) {
	n, p := X.Dims()
	_, q := Y.Dims()
	d := &Dataset{Name: "synthetic", X: X, Y: Y, Meta: map[string]string{}}
	for j := 0; j < p; j++ {
		d.XNames = append(d.XNames, fmt.Sprintf("x%02d", j))
	}
	for j := 0; j < q; j++ {
		d.YNames = append(d.YNames, fmt.Sprintf("y%02d", j))
	}
	for i := 0; i < n; i++ {
		d.RowID = append(d.RowID, strconv.Itoa(i))
	}
	var err error
	if d.Split, err = holdOutSplits(n, o.TrainFrac, o.HoldFrac, o.HoldSeed); err != nil {
		return nil, err
	}
	d.Meta["train_frac"] = strconv.FormatFloat(o.TrainFrac, 'g', -1, 64)
	d.Meta["hold_frac"] = strconv.FormatFloat(o.HoldFrac, 'g', -1, 64)
	d.Meta["hold_seed"] = strconv.FormatUint(uint64(o.HoldSeed), 10)
	return d, nil
}

// LoadSyntheticReference reads the reference's exact torch draw (seed 1),
// <dir>/synthetic/reference_seed1_{X,Y}.csv, and splits it as Synthetic does
// (only the split fields of opts are used). The files have no public source;
// a missing file wraps ErrMissing.
func LoadSyntheticReference(dir string, opts SyntheticOptions) (*Dataset, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	X, err := readNumericCSV(filepath.Join(dir, "synthetic", "reference_seed1_X.csv"))
	if err != nil {
		return nil, err
	}
	Y, err := readNumericCSV(filepath.Join(dir, "synthetic", "reference_seed1_Y.csv"))
	if err != nil {
		return nil, err
	}
	if nx, _ := X.Dims(); nx != Y.RawMatrix().Rows {
		return nil, fmt.Errorf("synthetic reference: %d rows of X, %d of Y: %w", nx, Y.RawMatrix().Rows, ErrBadData)
	}
	d, err := syntheticDataset(X, Y, opts)
	if err != nil {
		return nil, err
	}
	d.Meta["source"] = "reference_seed1"
	return d, nil
}

// readNumericCSV reads a headerless CSV of finite numbers with the same
// number of columns on every line.
func readNumericCSV(path string) (*mat.Dense, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, ErrMissing, err)
	}
	file := filepath.Base(path)
	var data []float64
	cols, rows := 0, 0
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 && len(b) == 0 {
			break
		}
		fields := bytes.Split(line, []byte{','})
		if rows == 0 {
			cols = len(fields)
		}
		if len(fields) != cols {
			return nil, lineError(file, n, "%d columns, want %d", len(fields), cols)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(string(bytes.TrimSpace(f)), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, lineError(file, n, "column %d: %q is not a finite number", j+1, f)
			}
			data = append(data, v)
		}
		rows++
	}
	if rows == 0 {
		return nil, fmt.Errorf("%s: empty: %w", file, ErrBadData)
	}
	return mat.NewDense(rows, cols, data), nil
}
