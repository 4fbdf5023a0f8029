//go:build linux && !noopenblas

package openblas

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/ebitengine/purego"
)

// open loads the first library of names that dlopen accepts and resolves
// the symbols this package needs. Every error wraps ErrUnavailable.
func open(names []string) (*Library, error) {
	var tried []error
	for _, name := range names {
		h, err := purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_LOCAL)
		if err != nil {
			tried = append(tried, err)
			continue
		}
		return resolve(h, name)
	}
	return nil, fmt.Errorf("%w: none of %q could be opened (install Debian's libopenblas0-pthread): %w",
		ErrUnavailable, names, errors.Join(tried...))
}

// resolve looks up the routines of the opened library h. The handle is
// never closed: implementations handed to gonum keep pointing into it.
func resolve(h uintptr, name string) (*Library, error) {
	sym := func(symbol string) (uintptr, error) {
		p, err := purego.Dlsym(h, symbol)
		if err != nil {
			return 0, fmt.Errorf("%w: %s lacks %s: %w", ErrUnavailable, name, symbol, err)
		}
		return p, nil
	}
	l := &Library{name: name}
	var err error
	for _, s := range []struct {
		dst    *uintptr
		symbol string
	}{{&l.sgemm, "sgemm_"}, {&l.dgemm, "dgemm_"}} {
		if *s.dst, err = sym(s.symbol); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		dst    any
		symbol string
	}{
		{&l.setThreads, "openblas_set_num_threads"},
		{&l.getThreads, "openblas_get_num_threads"},
		{&l.getConfig, "openblas_get_config"},
		{&l.getCore, "openblas_get_corename"},
	} {
		p, err := sym(f.symbol)
		if err != nil {
			return nil, err
		}
		purego.RegisterFunc(f.dst, p)
	}
	l.config, l.core = l.getConfig(), l.getCore()
	if err := checkConfig(name, l.config); err != nil {
		return nil, err
	}
	l.reinit = dynamicReinit(h)
	return l, nil
}

// dynamicReinit returns a function that makes a DYNAMIC_ARCH build choose
// its kernel table again, reading OPENBLAS_CORETYPE anew: its exported
// gotoblas_dynamic_quit forgets the table and gotoblas_dynamic_init picks
// and initializes one, as the library's constructor did at load. Builds for
// one CPU lack the symbols; they get nil and keep their kernels.
func dynamicReinit(h uintptr) func() {
	quit, err1 := purego.Dlsym(h, "gotoblas_dynamic_quit")
	start, err2 := purego.Dlsym(h, "gotoblas_dynamic_init")
	if err1 != nil || err2 != nil {
		return nil
	}
	return func() {
		purego.SyscallN(quit)
		purego.SyscallN(start)
	}
}

// gemm calls the Fortran entry point fn (sgemm_ or dgemm_) for the
// row-major product C = alpha op(A) op(B) + beta C. A row-major matrix with
// leading dimension ld is the column-major transpose with the same ld, so
// the column-major routine computes Cᵀ = alpha op(B)ᵀ op(A)ᵀ + beta Cᵀ with
// the operands swapped and the transpose flags unchanged; this is exactly
// what cblas_?gemm does for CblasRowMajor. Arguments must have been checked
// (checkGemm) and be within int32 range; a, b and c must be non-empty.
func gemm[T float32 | float64](fn uintptr, s *gemmScalars[T], a, b, c []T) {
	purego.SyscallN(fn,
		uintptr(unsafe.Pointer(&s.tB)), uintptr(unsafe.Pointer(&s.tA)),
		uintptr(unsafe.Pointer(&s.n)), uintptr(unsafe.Pointer(&s.m)), uintptr(unsafe.Pointer(&s.k)),
		uintptr(unsafe.Pointer(&s.alpha)),
		uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&s.ldb)),
		uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&s.lda)),
		uintptr(unsafe.Pointer(&s.beta)),
		uintptr(unsafe.Pointer(&c[0])), uintptr(unsafe.Pointer(&s.ldc)))
}
