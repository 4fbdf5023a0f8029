package solver

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The batch benchmarks time one training step's solver work at the paper's
// sizes: B problems of M samples solved, then differentiated with the
// upstream gradient of the task loss at a "true" outcome, on 2 workers.

func BenchmarkAllocationBatch(b *testing.B) {
	ys, truth := make([]*mat.Dense, 32), make([][]float64, 32)
	for i := range ys {
		ys[i] = loadLikeAllocation(uint64(i), 30)
		truth[i] = loadLikeAllocation(uint64(1000+i), 1).RawRowView(0)
	}
	b.Run("exact", func(b *testing.B) { benchBatch(b, NewAllocation(), ys, truth, nil) })
	b.Run("reference", func(b *testing.B) {
		p, opts := ReferenceOptions(NewAllocation())
		benchBatch(b, p, ys, truth, &opts)
	})
}

func BenchmarkPowerBatch(b *testing.B) {
	days := pjmDays(b, 65)
	rng := newRand(2)
	ys, truth := make([]*mat.Dense, 64), make([][]float64, 64)
	for i := range ys {
		// Samples: tomorrow's true curve plus noise (sd 0.05, about the spread
		// of the diffusion model's samples); the truth is the next day.
		ys[i] = noisyCopies(rng, days[i], 25, 0.05)
		truth[i] = days[i+1]
	}
	b.Run("exact", func(b *testing.B) { benchBatch(b, NewPower(), ys, truth, nil) })
	b.Run("reference", func(b *testing.B) {
		p, opts := ReferenceOptions(NewPower())
		benchBatch(b, p, ys, truth, &opts)
	})
}

func BenchmarkPortfolioBatch(b *testing.B) {
	ys, truth := make([]*mat.Dense, 128), make([][]float64, 128)
	for i := range ys {
		ys[i], _ = returnSamples(uint64(i), 10, 50, 0.06)
		t, _ := returnSamples(uint64(5000+i), 1, 50, 0.02)
		truth[i] = t.RawRowView(0)
	}
	b.Run("exact", func(b *testing.B) { benchBatch(b, NewPortfolio(1e-6), ys, truth, nil) })
	b.Run("reference", func(b *testing.B) {
		p, opts := ReferenceOptions(NewPortfolio(1e-6))
		benchBatch(b, p, ys, truth, &opts)
	})
	b.Run("alpha=1", func(b *testing.B) { benchBatch(b, NewPortfolio(1), ys, truth, nil) })
}

// benchBatch times SolveBatch + DifferentiateBatch with a = ∇_z f(y_true, z*).
func benchBatch(b *testing.B, p Problem, ys []*mat.Dense, truth [][]float64, dopts *DiffOptions) {
	ctx := context.Background()
	opts := &Options{Workers: 2}
	d := DiffOptions{}
	if dopts != nil {
		d = *dopts
	}
	d.Workers = 2
	as := make([][]float64, len(ys))
	for i := range as {
		as[i] = make([]float64, p.Dim())
	}
	b.ReportAllocs()
	for b.Loop() {
		sols, err := SolveBatch(ctx, p, ys, opts)
		if err != nil {
			b.Fatal(err)
		}
		for i, s := range sols {
			p.Grad(as[i], truth[i], s.Z)
		}
		if _, err := DifferentiateBatch(ctx, p, ys, sols, as, &d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPowerEpigraphQP solves one day of the power problem in epigraph
// form with the general dense interior-point solver, the formulation the
// reference's PyTorch solver uses: the comparison point for the structured
// method. M = 10 (504 variables) keeps the run short; at M = 25 (1224
// variables) one day takes seconds.
func BenchmarkPowerEpigraphQP(b *testing.B) {
	days := pjmDays(b, 1)
	y := noisyCopies(newRand(3), days[0], 10, 0.05)
	qp := epigraphQP(NewPower(), y)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SolveQP(context.Background(), qp, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func noisyCopies(rng *rand.Rand, day []float64, m int, sd float64) *mat.Dense {
	y := mat.NewDense(m, len(day), nil)
	for s := 0; s < m; s++ {
		for h, v := range day {
			y.Set(s, h, v+sd*rng.NormFloat64())
		}
	}
	return y
}

// pjmDays reads k consecutive 24-hour load curves from the shared PJM data
// (power.md §1.1), skipping the benchmark if the file is absent.
func pjmDays(b *testing.B, k int) [][]float64 {
	f, err := os.Open("/work/shared/data/pjm/pjm_load_data_2012-16.txt")
	if err != nil {
		b.Skipf("PJM data: %v", err)
	}
	defer f.Close()
	var loads []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(loads) < 24*k {
		fields := strings.Fields(sc.Text())
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			b.Fatal(err)
		}
		loads = append(loads, v)
	}
	days := make([][]float64, k)
	for d := range days {
		days[d] = loads[24*d : 24*(d+1)]
	}
	return days
}
