// Package openblas runs gonum's general matrix products in OpenBLAS, loaded
// at run time without cgo.
//
// The networks and solvers of this project call gonum's blas32.Gemm and
// blas64.Gemm, whose pure-Go kernel reaches a tenth of what an optimized
// BLAS does on this project's shapes. Gonum lets a program swap the
// implementation behind them (blas32.Use, blas64.Use). Implementation
// embeds gonum's own and overrides only Sgemm and Dgemm, so callers change
// nothing. A program, or a package's TestMain, selects the BLAS once at
// start:
//
//	info, err := openblas.UseFromEnv() // PIPE_BLAS, PIPE_BLAS_THREADS
//
// PIPE_BLAS=openblas requires the library, PIPE_BLAS=go keeps gonum, and
// the default uses OpenBLAS when it loads and gonum otherwise.
//
// # Loading
//
// Load opens libopenblas.so.0, libopenblas.so, or Debian's
// /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 with purego
// (github.com/ebitengine/purego), so the module builds with CGO_ENABLED=0
// and =1 and runs on machines without OpenBLAS: loading then fails with an
// error wrapping ErrUnavailable and gonum's kernels stay in place. Only
// builds with 32-bit BLAS integers are accepted. The products go through
// the Fortran symbols sgemm_ and dgemm_ with the operands swapped, which is
// what cblas_sgemm does for row-major storage (bit-for-bit, see
// TestFortranPathEqualsCBLAS), because their all-pointer arguments fit
// purego's cheap SyscallN (several times cheaper per call than
// cblas_sgemm's float arguments through reflection; figures in the
// README's Performance section). Products that OpenBLAS computes
// slower than gonum stay in gonum: tiny ones, those with at most 4 rows,
// and matrix-vector shapes, which go to gonum's Sgemv and Dgemv.
//
// Importing the package links purego. With CGO_ENABLED=0 purego installs
// its own pure-Go stand-in for runtime/cgo, so the binary links libc
// dynamically; with CGO_ENABLED=1 it imports runtime/cgo and needs a C
// toolchain to build. The build tag noopenblas leaves purego out entirely
// (Load then always fails), for a static pure-Go binary.
//
// # Kernel family
//
// A DYNAMIC_ARCH build carries kernels for many CPUs and picks one table of
// them (its "core type") when it loads, from its CPU detection or from
// OPENBLAS_CORETYPE. Some machines pin that variable to an AVX2 family
// (Haswell) because older builds crashed or computed wrong results with
// newer kernels; on an AVX-512 CPU that leaves much of the width-1024
// products' speed unused. So Load, when PIPE_BLAS_CORE is empty or "auto"
// and the CPU has AVX-512 F/BW/DQ/VL, asks the library to choose again with
// OPENBLAS_CORETYPE=SkylakeX (through its exported gotoblas_dynamic_quit
// and gotoblas_dynamic_init, with the variable set only for that call and
// restored at once), then runs a numerical self-check of sgemm_ and dgemm_
// against a float64 reference: the paper's shapes, several K blocks, odd
// edge tiles, padded strides, one and two threads, each product twice. The
// new family stays only if every element is within the rounding bound that
// holds for any summation order and every repeat is bit-identical;
// otherwise the library goes back to the environment's family.
// PIPE_BLAS_CORE=safe skips all this and keeps the environment's family;
// a family name (SkylakeX, Cooperlake, Haswell, Zen) tries that one,
// checked the same way. Library.String, and with it the backend that run
// records keep, names the family and whether it was self-checked, because
// families round differently.
//
// # Threads and concurrency
//
// The OpenBLAS thread count is one process-wide setting (Use,
// Library.SetThreads; UseFromEnv defaults to DefaultThreads = 1). Gonum may call Sgemm from
// several goroutines at once; concurrent calls are safe and do not perturb
// one another's results (TestConcurrentCalls). Each call blocks its
// goroutine's OS thread like a cgo call, and with n OpenBLAS threads each
// of g concurrent calls asks for n cores, so g·n > cores oversubscribes
// the machine and every product slows down (BenchmarkConcurrent; figures in
// the README's Performance section). Code that already keeps the cores busy
// with goroutines should use one OpenBLAS thread; more threads pay only for
// one large product at a time.
//
// # Determinism
//
// A product is bit-for-bit repeatable for a fixed OpenBLAS thread count and
// a fixed call shape. It is not independent of either: OpenBLAS 0.3.21's
// kernels sum an element of C in an order that depends on how the product
// is partitioned, so 1 and 2 threads differ in the last bits of about 5%
// of the elements on the paper's shapes (TestDeterministic logs the
// counts), and so does one product against the same rows computed in two
// calls. Gonum's kernel has neither dependence. Results identical for any
// number of pipeline workers therefore need a fixed OpenBLAS thread count,
// the same on every machine (hence UseFromEnv's default of 1 rather than
// the number of CPUs), and row partitions that do not depend on the number
// of workers.
package openblas
