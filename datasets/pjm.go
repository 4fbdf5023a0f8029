package datasets

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
)

// The two PJM files the reference concatenates, in order (power.md §1.1),
// relative to <dir>/pjm.
const (
	PJMFile2008 = "pjm_load_data_2008-11.txt"
	PJMFile2012 = "pjm_load_data_2012-16.txt"
)

// PJMOptions controls LoadPJM. The zero value is the default.
type PJMOptions struct {
	// Files under <dir>/pjm, concatenated in order; nil means
	// [PJMFile2008, PJMFile2012].
	Files []string
	// AcceptChangedData loads a published file whose sha256 differs from
	// the published one (with a warning) instead of refusing it.
	AcceptChangedData bool
	// Norm is the source of the feature z-scores (ddof = 0, as the
	// reference's np.std). NormLegacy reproduces power.md §1.6.
	Norm Norm
	// TrainFrac is the chronological share of rows before the test block:
	// n_train = int(TrainFrac·N); 0 means 0.8 (2553 of 3192 rows).
	TrainFrac float64
	// HoldFrac is the share of the training block held out:
	// Train = p[:int(n_train·(1−HoldFrac))], Hold = the rest, with
	// p = NumpyPermutation(HoldSeed, n_train); 0 means 0.2 (2042 / 511).
	HoldFrac float64
	// HoldSeed is numpy's seed for the hold-out permutation; the reference
	// uses the run id (0..9).
	HoldSeed uint32
	// DropTemperature removes the 120 temperature features (columns 24–143),
	// which are constant on every test day (power.md §7.1), leaving 29.
	DropTemperature bool
}

func (o *PJMOptions) defaults() error {
	if o.Files == nil {
		o.Files = []string{PJMFile2008, PJMFile2012}
	}
	if o.TrainFrac == 0 {
		o.TrainFrac = 0.8
	}
	if o.HoldFrac == 0 {
		o.HoldFrac = 0.2
	}
	if !(o.TrainFrac > 0 && o.TrainFrac < 1) {
		return optionError("train_frac", "%v is not in (0, 1)", o.TrainFrac)
	}
	if !(o.HoldFrac > 0 && o.HoldFrac < 1) {
		return optionError("hold_frac", "%v is not in (0, 1)", o.HoldFrac)
	}
	if len(o.Files) == 0 {
		return optionError("files", "no PJM files")
	}
	return o.Norm.validate()
}

// PJMFeatureNames are the names of the 149 features of power.md §1.3, in order.
func PJMFeatureNames() []string {
	var names []string
	for _, g := range []string{"load_prev", "temp_prev", "temp2_prev", "temp_next", "temp2_next", "temp3_next"} {
		for h := 0; h < 24; h++ {
			names = append(names, fmt.Sprintf("%s_h%02d", g, h))
		}
	}
	return append(names, "weekend", "holiday", "dst", "cos_doy", "sin_doy")
}

// pjmTargetNames are the 24 hourly loads of day d.
func pjmTargetNames() []string {
	names := make([]string, 24)
	for h := range names {
		names[h] = fmt.Sprintf("load_h%02d", h)
	}
	return names
}

// LoadPJM reads the PJM load files under <dir>/pjm and builds the power
// dataset (power.md §1): per file, day d−1's loads, temperatures and
// calendar of day d as 149 features, day d's 24 hourly loads (raw units) as
// targets; files concatenated; a chronological train/test split and a
// seeded hold-out inside the training block; features z-scored.
func LoadPJM(dir string, opts PJMOptions) (*Dataset, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(pjmZone)
	if err != nil {
		return nil, fmt.Errorf("time zone %s: %w", pjmZone, err)
	}
	d := &Dataset{Name: "power", XNames: PJMFeatureNames(), YNames: pjmTargetNames()}
	var xs, ys [][]float64
	var missing []string
	for _, f := range opts.Files {
		t, err := readPJM(filepath.Join(dir, "pjm", f), loc)
		if err != nil {
			return nil, err
		}
		if len(t.dates) < 2 {
			return nil, fmt.Errorf("%s: %d days, need at least 2: %w", t.file, len(t.dates), ErrBadData)
		}
		d.Warnings = append(d.Warnings, t.warnings...)
		w, err := checkKnownSums(dir, []string{"pjm/" + f}, opts.AcceptChangedData)
		if err != nil {
			return nil, err
		}
		d.Warnings = append(d.Warnings, w...)
		missing = append(missing, fmt.Sprintf("%s:%d", t.file, t.missing))
		x, y, ids := pjmExamples(t, loc)
		xs, ys = append(xs, x...), append(ys, y...)
		d.RowID = append(d.RowID, ids...)
	}
	d.X, d.Y = denseRows(xs), denseRows(ys)
	if d.Split, err = holdOutSplits(len(xs), opts.TrainFrac, opts.HoldFrac, opts.HoldSeed); err != nil {
		return nil, err
	}
	if opts.DropTemperature {
		d.X, d.XNames = dropColumns(d.X, d.XNames, 24, 144)
	}
	if opts.Norm.orDefault() != NormNone {
		w, err := standardize(d.X, statRows(opts.Norm, d.Split), columnGroups(len(d.XNames)), 0, 0, d.XNames)
		if err != nil {
			return nil, err
		}
		d.Warnings = append(d.Warnings, w...)
	}
	d.Meta = map[string]string{
		"files":            strings.Join(opts.Files, ","),
		"missing_cells":    strings.Join(missing, ","),
		"norm":             string(opts.Norm.orDefault()),
		"train_frac":       strconv.FormatFloat(opts.TrainFrac, 'g', -1, 64),
		"hold_frac":        strconv.FormatFloat(opts.HoldFrac, 'g', -1, 64),
		"hold_seed":        strconv.FormatUint(uint64(opts.HoldSeed), 10),
		"drop_temperature": strconv.FormatBool(opts.DropTemperature),
	}
	return d, nil
}

// pjmExamples pairs day k−1 (features) with day k (target) inside one file.
func pjmExamples(t *dayTable, loc *time.Location) (x, y [][]float64, ids []string) {
	holidays := map[time.Time]bool{}
	for _, h := range USFederalHolidays(t.dates[0], t.dates[len(t.dates)-1]) {
		holidays[h] = true
	}
	for k := 1; k < len(t.dates); k++ {
		row := make([]float64, 0, 149)
		prevT, nextT := t.temp[k-1], t.temp[k]
		row = append(row, t.load[k-1][:]...)
		row = append(row, prevT[:]...)
		row = appendPow(row, prevT, 2)
		row = append(row, nextT[:]...)
		row = appendPow(row, nextT, 2)
		row = appendPow(row, nextT, 3)
		row = append(row, calendarFeatures(t.dates[k], holidays, loc)...)
		x = append(x, row)
		y = append(y, append([]float64(nil), t.load[k][:]...))
		ids = append(ids, t.dates[k].Format(time.DateOnly))
	}
	return x, y, ids
}

// appendPow appends v^p elementwise (p = 2 or 3, as products, like numpy's **).
func appendPow(row []float64, v [24]float64, p int) []float64 {
	for _, t := range v {
		if p == 2 {
			row = append(row, t*t)
		} else {
			row = append(row, t*t*t)
		}
	}
	return row
}

// calendarFeatures returns [weekend, holiday, dst, cos_doy, sin_doy] of day
// d: weekend and holiday as 1/0, dst = local midnight is daylight time,
// doy angle = yday/365·2π with yday = 1..366 (power.md §1.3).
func calendarFeatures(d time.Time, holidays map[time.Time]bool, loc *time.Location) []float64 {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	wd := d.Weekday()
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	angle := float64(d.YearDay()) / 365 * 2 * math.Pi
	return []float64{
		b(wd == time.Saturday || wd == time.Sunday),
		b(holidays[d]),
		b(midnight.IsDST()),
		math.Cos(angle),
		math.Sin(angle),
	}
}

// denseRows stacks equal-length rows into a matrix.
func denseRows(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// dropColumns returns m and names without columns [from, to).
func dropColumns(m *mat.Dense, names []string, from, to int) (*mat.Dense, []string) {
	r, c := m.Dims()
	out := mat.NewDense(r, c-(to-from), nil)
	for i := 0; i < r; i++ {
		src, dst := m.RawRowView(i), out.RawRowView(i)
		copy(dst, src[:from])
		copy(dst[from:], src[to:])
	}
	kept := append(append([]string(nil), names[:from]...), names[to:]...)
	return out, kept
}
