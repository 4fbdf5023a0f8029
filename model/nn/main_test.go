package nn

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/diffusion-dfl/pipe/internal/openblas"
)

// TestMain selects the BLAS behind blas32 from the environment, so the same
// tests and benchmarks run on gonum's kernels (PIPE_BLAS=go) and on OpenBLAS
// (PIPE_BLAS=openblas; the default uses it when it loads), with
// PIPE_BLAS_THREADS OpenBLAS threads. PIPE_NN_GO_KERNELS=1 runs the row
// kernels in Go as on a CPU without AVX2.
func TestMain(m *testing.M) {
	info, err := openblas.UseFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	info += "; row kernels " + Kernels() // EnvGoKernels=1: Go
	flag.Parse()
	if testing.Verbose() || flag.Lookup("test.bench").Value.String() != "" {
		fmt.Println(info)
	}
	os.Exit(m.Run())
}
