package solver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// readSamples reads a sample matrix written as "rows cols" then one row of
// floats per line.
func readSamples(t *testing.T, path string) *mat.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var r, c int
	if !sc.Scan() {
		t.Fatalf("%s: empty", path)
	}
	if _, err := fmt.Sscan(sc.Text(), &r, &c); err != nil {
		t.Fatalf("%s line 1: %v", path, err)
	}
	y := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		if !sc.Scan() {
			t.Fatalf("%s: %d of %d rows", path, i, r)
		}
		fields := strings.Fields(sc.Text())
		if len(fields) != c {
			t.Fatalf("%s line %d: %d values, want %d", path, i+2, len(fields), c)
		}
		for j, tok := range fields {
			v, err := strconv.ParseFloat(tok, 64)
			if err != nil {
				t.Fatalf("%s line %d: %v", path, i+2, err)
			}
			y.Set(i, j, v)
		}
	}
	return y
}

// TestPortfolioStallRetried solves the 16 diffusion samples (50 assets) on
// which the predictor–corrector interior point stalled at residual 1e-4
// with α = 10 (a DFL run of the risk-averse portfolio): the line-searched
// retry must reach a verified KKT point.
func TestPortfolioStallRetried(t *testing.T) {
	y := readSamples(t, "testdata/portfolio_stall.txt")
	p := Portfolio{N: 50, Alpha: 10}
	sol, err := Solve(context.Background(), p, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sol.Status != StatusExact || sol.Residuals.Max() > 1e-9 {
		t.Fatalf("status %v, residual %g", sol.Status, sol.Residuals.Max())
	}
	var sum float64
	for _, v := range sol.Z {
		sum += v
		if v < -1e-12 {
			t.Fatalf("z has a negative weight %g", v)
		}
	}
	if d := sum - 1; d > 1e-9 || d < -1e-9 {
		t.Fatalf("Σz = %.12g", sum)
	}
}
