package openblas

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
)

// ErrUnavailable is wrapped by every error that reports that OpenBLAS cannot
// be used: the shared library is missing, lacks a symbol, was built with
// 64-bit integers, or this build excludes the loader (tag noopenblas).
var ErrUnavailable = errors.New("openblas: library unavailable")

// searchPath lists the shared objects tried in order: the soname the dynamic
// loader resolves through its cache, the development symlink, and the path
// of Debian's libopenblas0-pthread package for hosts whose loader cache
// points libopenblas.so.0 elsewhere (or nowhere).
var searchPath = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
}

// Library is a loaded OpenBLAS shared library. It stays loaded for the life
// of the process; there is exactly one per process (see Load).
type Library struct {
	name   string // the entry of searchPath that dlopen accepted
	config string // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."
	core   string // openblas_get_corename(), the kernel family in use

	sgemm, dgemm uintptr // Fortran entry points sgemm_ and dgemm_

	setThreads func(n int32)
	getThreads func() int32
	getConfig  func() string
	getCore    func() string
	reinit     func()     // re-reads OPENBLAS_CORETYPE; nil unless DYNAMIC_ARCH
	choice     CoreChoice // the kernel family and how it was chosen
}

var (
	loadOnce sync.Once
	loaded   *Library
	loadErr  error
)

// Load opens OpenBLAS from the first loadable entry of the search path
// ("libopenblas.so.0", "libopenblas.so", Debian's openblas-pthread path) and
// resolves the routines this package calls. It then chooses the kernel
// family as EnvCore (PIPE_BLAS_CORE) says: by default a family with AVX-512
// kernels when the CPU has them and they pass the numerical self-check,
// else the environment's own (see CoreChoice). The library is opened once
// per process; later calls return the same *Library or the same error,
// which wraps ErrUnavailable.
func Load() (*Library, error) {
	loadOnce.Do(func() {
		loaded, loadErr = open(searchPath)
		if loadErr == nil {
			loaded.chooseCore(os.Getenv(EnvCore))
		}
	})
	return loaded, loadErr
}

// Name returns the entry of the search path that was loaded.
func (l *Library) Name() string { return l.name }

// Config returns OpenBLAS's build description (openblas_get_config).
func (l *Library) Config() string { return l.config }

// Core returns the name of the kernel family OpenBLAS selected for this CPU
// (openblas_get_corename); OPENBLAS_CORETYPE overrides the detection.
func (l *Library) Core() string { return l.core }

// Threads returns the number of threads OpenBLAS uses for one call.
func (l *Library) Threads() int { return int(l.getThreads()) }

// SetThreads sets the number of threads OpenBLAS uses for one call; n <= 0
// means runtime.NumCPU(). The setting is process-wide: it applies to every
// goroutine's calls, including those already installed through Use.
func (l *Library) SetThreads(n int) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	l.setThreads(int32(min(n, math.MaxInt32))) // OpenBLAS clamps to its MAX_THREADS
}

// Implementation returns gonum's BLAS with Sgemm and Dgemm served by l.
func (l *Library) Implementation() Implementation {
	return Implementation{lib: l}
}

// String describes the library for logs and run records: build, kernel
// family and how it was chosen, file and threads. Kernel families round
// differently, so results name the one that produced them.
func (l *Library) String() string {
	return fmt.Sprintf("%s (%s, %s, %d threads)", l.config, l.choice, l.name, l.Threads())
}

// checkConfig rejects builds whose BLAS integers are 64-bit (ILP64): every
// integer argument is passed as a 32-bit int.
func checkConfig(name, config string) error {
	if strings.Contains(config, "USE64BITINT") {
		return fmt.Errorf("%w: %s is an ILP64 build (%q); a 32-bit integer build is required", ErrUnavailable, name, config)
	}
	return nil
}
