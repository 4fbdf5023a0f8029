package solver

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// readCSVMatrix reads a headerless numeric CSV file, skipping the test if
// the shared data are absent.
func readCSVMatrix(t *testing.T, path string) *mat.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared data: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := mat.NewDense(len(recs), len(recs[0]), nil)
	for i, rec := range recs {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s line %d: %v", path, i+1, err)
			}
			out.Set(i, j, v)
		}
	}
	return out
}

// TestAllocationReferenceData checks the pooled solve against the spec's
// verified values on the reference's seed-1 data (synthetic.md §7): the
// SAA optimum of the 800 training rows costs 0.391 on the 200 test rows,
// and z = 2·1 costs 1.98709.
func TestAllocationReferenceData(t *testing.T) {
	y := readCSVMatrix(t, "/work/shared/data/synthetic/reference_seed1_Y.csv")
	train, test := y.Slice(0, 800, 0, 10).(*mat.Dense), y.Slice(800, 1000, 0, 10).(*mat.Dense)
	p := NewAllocation()
	sol, err := Solve(context.Background(), p, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := SAAObjective(p, test, sol.Z); math.Abs(got-0.391) > 5e-4 {
		t.Errorf("test cost of the training SAA optimum = %.5f, want 0.391", got)
	}
	if got := SAAObjective(p, test, filled(10, 2)); math.Abs(got-1.98709) > 5e-6 {
		t.Errorf("test cost of z = 2 = %.6f, want 1.98709", got)
	}
}
