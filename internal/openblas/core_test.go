package openblas

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestChooseCore checks what Load chose: with PIPE_BLAS_CORE unset on a
// CPU with AVX-512 and a DYNAMIC_ARCH build, the AVX-512 family after a
// passed self-check, named in the library's description.
func TestChooseCore(t *testing.T) {
	lib := loadOrSkip(t)
	ch := lib.Choice()
	t.Logf("%s; safe %s; note %q", ch, ch.Safe, ch.Note)
	if !strings.Contains(lib.String(), ch.String()) {
		t.Errorf("String() %q does not name the choice %q", lib.String(), ch)
	}
	if ch.Core != lib.Core() {
		t.Errorf("Choice().Core %q, Core() %q", ch.Core, lib.Core())
	}
	if os.Getenv(EnvCore) != "" || lib.reinit == nil || !hasAVX512() {
		return
	}
	if !ch.Checked || !strings.EqualFold(ch.Core, fastCores[0].name) {
		t.Errorf("choice %+v, want %s after a passed self-check", ch, fastCores[0].name)
	}
}

// TestSwitchCoreRestoresEnv switches to the environment's family and back
// and checks the products still pass the self-check and that
// OPENBLAS_CORETYPE is as the test found it.
func TestSwitchCoreRestoresEnv(t *testing.T) {
	lib := loadOrSkip(t)
	if lib.reinit == nil {
		t.Skip("not a DYNAMIC_ARCH build")
	}
	before, had := os.LookupEnv(envCoreType)
	core := lib.Core()
	lib.switchCore("")
	safe := lib.Core()
	if err := lib.selfCheck(); err != nil {
		t.Errorf("self-check on %s: %v", safe, err)
	}
	lib.switchCore(core)
	if !strings.EqualFold(lib.Core(), core) {
		t.Fatalf("switched back to %q, got %q", core, lib.Core())
	}
	if after, has := os.LookupEnv(envCoreType); has != had || after != before {
		t.Errorf("%s = %q (set %v) after switching, was %q (set %v)", envCoreType, after, has, before, had)
	}
	if safe != lib.Choice().Safe {
		t.Errorf("environment's family %q, Choice().Safe %q", safe, lib.Choice().Safe)
	}
}

// TestCheckOneCatchesWrongProducts feeds the check gonum's correct Sgemm
// and two broken ones: one off by 0.1 in one element (a broken kernel is
// off by about one) and one that is not repeatable in the last bit.
func TestCheckOneCatchesWrongProducts(t *testing.T) {
	good := gonum.Implementation{}.Sgemm
	offByOne := func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		good(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		c[(m/2)*ldc+n/2] += 0.1
	}
	calls := 0
	flaky := func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		good(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		if calls++; calls == 2 {
			c[0] = math.Nextafter32(c[0], 2)
		}
	}
	for _, tc := range []struct {
		name string
		gemm gemmFunc[float32]
		ok   bool
	}{{"gonum", good, true}, {"off", offByOne, false}, {"flaky", flaky, false}} {
		for _, c := range checkCases {
			calls = 0
			err := checkOne(tc.gemm, newCheckData(rand.New(rand.NewPCG(1, 2)), c), 0x1p-24)
			if (err == nil) != tc.ok {
				t.Errorf("%s on %+v: error %v, want ok=%v", tc.name, c, err, tc.ok)
			}
		}
	}
}

func TestCheckEnvCore(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"", true}, {"auto", true}, {" Safe ", true}, {"skylakex", true}, {"Haswell", true}, {"Pentium4", false}} {
		err := checkEnvCore(tc.value)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrEnv)) {
			t.Errorf("checkEnvCore(%q) = %v, want ok=%v", tc.value, err, tc.ok)
		}
	}
}

// BenchmarkSelfCheck is the start-up cost Load pays when it tries a family.
func BenchmarkSelfCheck(b *testing.B) {
	lib := loadOrSkip(b)
	for b.Loop() {
		if err := lib.selfCheck(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoreFamilies times the paper's float32 products, forward and
// backward, on one OpenBLAS thread in the environment's kernel family
// ("safe", e.g. Haswell's AVX2) and in the one Load chose (e.g. SkylakeX's
// AVX-512), switching between them for each shape so that both see the
// same machine load; GFLOP/cpu-s, the rate per CPU-second of the
// process, moves far less with other programs' load than GFLOP/s:
//
//	go test -run XXX -bench CoreFamilies -benchtime 20x -count 5 ./internal/openblas
func BenchmarkCoreFamilies(b *testing.B) {
	lib := loadOrSkip(b)
	if lib.reinit == nil || !lib.Choice().Checked {
		b.Skip("no second kernel family chosen: ", lib.Choice())
	}
	chosen := lib.Core()
	defer lib.switchCore(chosen)
	for _, s := range paperShapes {
		for _, d := range gemmDirs {
			for _, core := range []string{"safe", "chosen"} {
				b.Run(fmt.Sprintf("%dx%dx%d/%s/%s", s.m, s.k, s.n, d.name, core), func(b *testing.B) {
					if core == "safe" {
						lib.switchCore("")
					} else {
						lib.switchCore(chosen)
					}
					m, n, k, a, lda, bm, ldb := operands(rand.New(rand.NewPCG(1, 2)), d, s)
					c := make([]float32, m*n)
					impl := lib.Implementation()
					cpu := processCPU()
					withThreads(lib, 1, func() {
						for b.Loop() {
							impl.Sgemm(d.tA, d.tB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
						}
					})
					cpu = processCPU() - cpu
					reportGFLOPs(b, m, n, k, 1)
					if cpu > 0 {
						b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/cpu.Seconds()/1e9, "GFLOP/cpu-s")
					}
				})
			}
		}
	}
}
