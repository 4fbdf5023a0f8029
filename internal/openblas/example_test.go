package openblas_test

import (
	"fmt"
	"log"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/diffusion-dfl/pipe/internal/openblas"
)

// A program selects its BLAS once at start (PIPE_BLAS, PIPE_BLAS_THREADS);
// every later blas32.Gemm then runs in OpenBLAS when it is installed and in
// gonum otherwise, with the same results up to rounding.
func Example() {
	info, err := openblas.UseFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer openblas.UseGo()
	_ = info // e.g. "BLAS: OpenBLAS 0.3.21 ... (core Haswell, libopenblas.so.0, 2 threads)"

	a := blas32.General{Rows: 2, Cols: 3, Stride: 3, Data: []float32{1, 2, 3, 4, 5, 6}}
	b := blas32.General{Rows: 3, Cols: 2, Stride: 2, Data: []float32{7, 8, 9, 10, 11, 12}}
	c := blas32.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float32, 4)}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
	fmt.Println(c.Data)
	// Output: [58 64 139 154]
}
