package datasets

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Norm names where feature normalisation statistics come from.
type Norm string

// Normalisation sources. The reference computes its statistics over all
// rows, test rows included (power.md §1.4, portfolio.md §1.6): a leak of the
// test distribution into the features, kept as NormLegacy.
const (
	NormTrain  Norm = "train"  // statistics from the Train rows (default; "" means this)
	NormLegacy Norm = "legacy" // statistics from all rows, as the reference
	NormNone   Norm = "none"   // raw features
)

func (n Norm) orDefault() Norm {
	if n == "" {
		return NormTrain
	}
	return n
}

func (n Norm) validate() error {
	switch n.orDefault() {
	case NormTrain, NormLegacy, NormNone:
		return nil
	}
	return optionError("norm", "%q: want train, legacy or none", string(n))
}

// statRows returns the rows whose statistics normalise the features.
func statRows(n Norm, splits []Split) []int {
	var rows []int
	for i, s := range splits {
		if n.orDefault() == NormLegacy || s == Train {
			rows = append(rows, i)
		}
	}
	return rows
}

// standardize z-scores X in place: for each group of columns g (columns
// sharing one statistic), x ← (x − mean)/(sd + eps), with mean and sd over
// rows × g and sd = sqrt(Σ(x−mean)²/(count − ddof)). Two passes keep the
// variance exact for columns with a large mean. A group that is constant
// over the rows (sd + eps = 0) is only centred, as scikit-learn's
// StandardScaler does, and returned as a warning (numpy would give NaN).
func standardize(X *mat.Dense, rows []int, groups [][]int, ddof int, eps float64, names []string) (warnings []string, err error) {
	for _, g := range groups {
		var sum float64
		for _, r := range rows {
			row := X.RawRowView(r)
			for _, c := range g {
				sum += row[c]
			}
		}
		count := float64(len(rows) * len(g))
		mean := sum / count
		var ss float64
		for _, r := range rows {
			row := X.RawRowView(r)
			for _, c := range g {
				d := row[c] - mean
				ss += d * d
			}
		}
		if count-float64(ddof) <= 0 {
			return nil, fmt.Errorf("feature %s: %v values cannot give a standard deviation: %w", names[g[0]], count, ErrBadData)
		}
		scale := math.Sqrt(ss/(count-float64(ddof))) + eps
		if scale == 0 {
			warnings = append(warnings, fmt.Sprintf("feature %s is constant over the %d normalisation rows; centred, not scaled", names[g[0]], len(rows)))
			scale = 1
		}
		nr, _ := X.Dims()
		for r := 0; r < nr; r++ {
			row := X.RawRowView(r)
			for _, c := range g {
				row[c] = (row[c] - mean) / scale
			}
		}
	}
	return warnings, nil
}

// columnGroups returns one group per column, for features normalised one by one.
func columnGroups(p int) [][]int {
	g := make([][]int, p)
	for j := range g {
		g[j] = []int{j}
	}
	return g
}
