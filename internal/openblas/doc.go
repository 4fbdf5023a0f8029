// Package openblas runs gonum's general matrix products in OpenBLAS, loaded
// at run time without cgo.
//
// The networks and solvers of this project call gonum's blas32.Gemm and
// blas64.Gemm. Gonum lets a program swap the implementation behind them
// (blas32.Use, blas64.Use); this package's Implementation embeds gonum's
// pure-Go one and overrides only Sgemm and Dgemm, the hot path, so nothing
// else changes. A program enables it once at start:
//
//	info, err := openblas.UseFromEnv() // honours PIPE_BLAS and PIPE_BLAS_THREADS
//
// The library is opened with purego's dlopen (github.com/ebitengine/purego),
// so the module builds with CGO_ENABLED=0 and =1 and on machines without
// OpenBLAS, where loading fails with an error wrapping ErrUnavailable and
// gonum's kernels stay in place.
package openblas
