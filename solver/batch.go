package solver

import (
	"context"
	"fmt"
	"runtime"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
	"gonum.org/v1/gonum/mat"
)

// forEach runs fn(i) for i = 0..n−1 on the calling goroutine and up to
// workers−1 helpers, started only on cores nothing else holds
// (cores.Borrow: stages running side by side keep one core each). Each call
// writes only its own slot, so results do not depend on the number of
// workers or on scheduling. It returns the error of the lowest index that
// failed, annotated with the index, and stops handing out new indices once
// the context is cancelled.
func forEach(ctx context.Context, n, workers int, fn func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	cores.Do(n, workers, func(i int) {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			return
		}
		errs[i] = fn(i)
	})
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("problem %d of %d: %w", i, n, err)
		}
	}
	return nil
}

// SolveBatch solves B independent problems, one per sample matrix, on
// Options.Workers goroutines (default GOMAXPROCS). The solutions are
// bit-identical for any number of workers. On error it still returns every
// solution it has (nil where a problem failed before producing one) and the
// error of the lowest-index failure.
func SolveBatch(ctx context.Context, p Problem, Ys []*mat.Dense, opts *Options) ([]*Solution, error) {
	sols := make([]*Solution, len(Ys))
	workers := 0
	if opts != nil {
		workers = opts.Workers
	}
	err := forEach(ctx, len(Ys), workers, func(i int) error {
		sol, err := Solve(ctx, p, Ys[i], opts)
		sols[i] = sol
		return err
	})
	return sols, err
}

// DifferentiateBatch runs Differentiate for each problem b of a batch with
// upstream gradient as[b], on DiffOptions.Workers goroutines; results are
// bit-identical for any number of workers.
func DifferentiateBatch(ctx context.Context, p Problem, Ys []*mat.Dense, sols []*Solution, as [][]float64, opts *DiffOptions) ([]*Sensitivity, error) {
	if len(sols) != len(Ys) || len(as) != len(Ys) {
		panicDim("DifferentiateBatch: %d sample matrices, %d solutions, %d upstream gradients", len(Ys), len(sols), len(as))
	}
	out := make([]*Sensitivity, len(Ys))
	workers := 0
	if opts != nil {
		workers = opts.Workers
	}
	err := forEach(ctx, len(Ys), workers, func(i int) error {
		if sols[i] == nil {
			return fmt.Errorf("no solution to differentiate: %w", ErrNoConvergence)
		}
		s, err := Differentiate(p, Ys[i], sols[i], as[i], opts)
		out[i] = s
		return err
	})
	return out, err
}
