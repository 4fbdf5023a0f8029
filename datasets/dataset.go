package datasets

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Split says what a row is for.
type Split uint8

// The three splits. Train rows fit models, Hold rows select them (early
// stopping, best epoch) and Test rows are only reported.
const (
	Train Split = iota
	Hold
	Test
)

var splitNames = [...]string{Train: "train", Hold: "hold", Test: "test"}

// String returns "train", "hold" or "test".
func (s Split) String() string {
	if int(s) < len(splitNames) {
		return splitNames[s]
	}
	return fmt.Sprintf("Split(%d)", uint8(s))
}

// ParseSplit is the inverse of Split.String.
func ParseSplit(name string) (Split, error) {
	for i, n := range splitNames {
		if n == name {
			return Split(i), nil
		}
	}
	return 0, fmt.Errorf("split %q: want train, hold or test: %w", name, ErrBadData)
}

// Dataset is a feature/target table: row i has features X[i,:], targets
// Y[i,:], a label RowID[i] (a date or an index) and a split Split[i].
// Rows keep their natural (chronological or generation) order.
type Dataset struct {
	// Name is "synthetic", "power" or "portfolio"; the Arrow kind is "dataset.<Name>".
	Name   string
	X, Y   *mat.Dense
	XNames []string
	YNames []string
	RowID  []string
	Split  []Split
	// Meta records how the table was made (options, selected assets, ...),
	// so that a stage's log and the artifact show it.
	Meta map[string]string
	// Warnings are problems in the data that did not stop the load (for
	// example the corrupt temperature column of the 2012–16 PJM file);
	// stages write them to their log.
	Warnings []string
}

// check panics when the fields disagree in shape: a programmer error.
func (d *Dataset) check() {
	if d.X == nil || d.Y == nil {
		panic("datasets: Dataset with nil X or Y")
	}
	n, p := d.X.Dims()
	ny, q := d.Y.Dims()
	switch {
	case ny != n:
		panic(fmt.Sprintf("datasets: X has %d rows, Y has %d", n, ny))
	case len(d.RowID) != n || len(d.Split) != n:
		panic(fmt.Sprintf("datasets: %d rows but %d row ids and %d splits", n, len(d.RowID), len(d.Split)))
	case len(d.XNames) != p || len(d.YNames) != q:
		panic(fmt.Sprintf("datasets: X is %d wide with %d names, Y is %d wide with %d names", p, len(d.XNames), q, len(d.YNames)))
	}
}

// Len returns the number of rows.
func (d *Dataset) Len() int { return len(d.Split) }

// Rows returns the indices of the rows in split s, in row order.
func (d *Dataset) Rows(s Split) []int {
	var idx []int
	for i, v := range d.Split {
		if v == s {
			idx = append(idx, i)
		}
	}
	return idx
}

// Count returns the number of rows in split s.
func (d *Dataset) Count(s Split) int {
	n := 0
	for _, v := range d.Split {
		if v == s {
			n++
		}
	}
	return n
}

// Subset returns a copy of the rows in split s (features, targets, labels);
// names, Meta and Warnings are shared with d.
func (d *Dataset) Subset(s Split) *Dataset {
	d.check()
	idx := d.Rows(s)
	out := &Dataset{Name: d.Name, XNames: d.XNames, YNames: d.YNames, Meta: d.Meta, Warnings: d.Warnings}
	out.X = selectRows(d.X, idx)
	out.Y = selectRows(d.Y, idx)
	out.RowID = make([]string, len(idx))
	out.Split = make([]Split, len(idx))
	for k, i := range idx {
		out.RowID[k] = d.RowID[i]
		out.Split[k] = s
	}
	return out
}

// selectRows copies the given rows of m into a new matrix. A matrix with no
// rows cannot be represented by mat.Dense, so an empty selection gives a nil
// matrix.
func selectRows(m *mat.Dense, idx []int) *mat.Dense {
	if len(idx) == 0 {
		return nil
	}
	_, c := m.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for k, i := range idx {
		copy(out.RawRowView(k), m.RawRowView(i))
	}
	return out
}

// Hindsight returns, over the rows of split s, the mean of max_i Y[r,i] (the
// return of a hindsight oracle that puts everything on the best asset) and the
// mean of mean_i Y[r,i] (the equal-weight portfolio). The portfolio tables
// report both beside the methods (portfolio.md §4).
func Hindsight(d *Dataset, s Split) (oracle, equalWeight float64) {
	d.check()
	idx := d.Rows(s)
	if len(idx) == 0 {
		return 0, 0
	}
	for _, r := range idx {
		row := d.Y.RawRowView(r)
		best, sum := row[0], 0.0
		for _, v := range row {
			best = max(best, v)
			sum += v
		}
		oracle += best
		equalWeight += sum / float64(len(row))
	}
	n := float64(len(idx))
	return oracle / n, equalWeight / n
}
