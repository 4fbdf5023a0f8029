package openblas

import (
	"errors"
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
