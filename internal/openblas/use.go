package openblas

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Environment variables read by UseFromEnv.
const (
	// EnvBackend selects the BLAS: "openblas" (required: fail if missing),
	// "go" (gonum's pure-Go kernels), or empty / "auto" (OpenBLAS when it
	// loads, otherwise gonum).
	EnvBackend = "PIPE_BLAS"
	// EnvThreads sets OpenBLAS's thread count: empty means DefaultThreads,
	// 0 means runtime.NumCPU().
	EnvThreads = "PIPE_BLAS_THREADS"
)

// DefaultThreads is UseFromEnv's OpenBLAS thread count. One thread keeps
// results the same on every machine (OpenBLAS's depend on its thread count)
// and leaves the cores to the goroutines that run products side by side:
// two concurrent products run about 2× slower in total with 2 OpenBLAS
// threads each than with 1 (BenchmarkConcurrent). A program that computes
// one large product at a time may set PIPE_BLAS_THREADS=2.
const DefaultThreads = 1

// ErrEnv is wrapped by errors about the values of EnvBackend or EnvThreads.
var ErrEnv = errors.New("openblas: bad environment setting")

// Use loads OpenBLAS, sets its thread count (threads <= 0 means
// runtime.NumCPU()) and installs it as gonum's float32 and float64 BLAS
// (blas32.Use, blas64.Use), so that every later blas32.Gemm, blas64.Gemm
// and gonum/mat product runs in OpenBLAS. It returns a description of the
// library for logs. On error, which wraps ErrUnavailable, gonum's
// implementation is left as it was.
//
// Use changes process-wide state: call it once at program start, before
// goroutines compute.
func Use(threads int) (info string, err error) {
	lib, err := Load()
	if err != nil {
		return "", err
	}
	lib.SetThreads(threads)
	impl := lib.Implementation()
	blas32.Use(impl)
	blas64.Use(impl)
	return lib.String(), nil
}

// UseGo installs gonum's pure-Go implementation for float32 and float64,
// undoing Use.
func UseGo() {
	blas32.Use(gonum.Implementation{})
	blas64.Use(gonum.Implementation{})
}

// Enabled reports whether OpenBLAS currently serves both blas32 and blas64.
func Enabled() bool {
	i32, ok32 := blas32.Implementation().(Implementation)
	i64, ok64 := blas64.Implementation().(Implementation)
	return ok32 && ok64 && i32.lib != nil && i64.lib != nil
}

// UseFromEnv installs the BLAS chosen by EnvBackend (PIPE_BLAS) with the
// thread count of EnvThreads (PIPE_BLAS_THREADS, default DefaultThreads),
// for programs and test mains to call first thing. It returns a line for logs saying which BLAS
// is in use and, when OpenBLAS was wanted but is missing, why not. It fails,
// wrapping ErrEnv, on unknown values, and, wrapping ErrUnavailable, when
// PIPE_BLAS=openblas and the library cannot be loaded.
func UseFromEnv() (string, error) {
	threads, err := envThreads()
	if err != nil {
		return "", err
	}
	if err := checkEnvCore(os.Getenv(EnvCore)); err != nil {
		return "", err
	}
	switch backend := strings.TrimSpace(os.Getenv(EnvBackend)); strings.ToLower(backend) {
	case "openblas":
		info, err := Use(threads)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBackend, backend, err)
		}
		return "BLAS: " + info, nil
	case "", "auto":
		info, err := Use(threads)
		if err != nil {
			UseGo()
			return "BLAS: gonum (pure Go); OpenBLAS not used: " + err.Error(), nil
		}
		return "BLAS: " + info, nil
	case "go":
		UseGo()
		return "BLAS: gonum (pure Go), " + EnvBackend + "=go", nil
	default:
		return "", fmt.Errorf("%w: %s=%q, want openblas, go or auto", ErrEnv, EnvBackend, backend)
	}
}

// envThreads parses EnvThreads; empty means DefaultThreads, and 0, which
// Use reads as runtime.NumCPU(), stays 0.
func envThreads() (int, error) {
	s := strings.TrimSpace(os.Getenv(EnvThreads))
	if s == "" {
		return DefaultThreads, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s=%q, want a thread count >= 0 (0 = all CPUs)", ErrEnv, EnvThreads, s)
	}
	return n, nil
}
