package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// paperShape is one M×K×N product of the paper's denoisers: forward
// (C = X W) and the two backward products (dX = dY Wᵀ, dW = Xᵀ dY).
type paperShape struct{ m, k, n int }

// paperShapes are the denoiser products of the power task's input layer
// (189 inputs), the hidden layers at h = 1024 and h = 256, for the
// training batch (1024 rows) and the sampling batch (1600 rows).
var paperShapes = []paperShape{
	{1024, 189, 1024}, {1024, 1024, 1024}, {1024, 256, 256}, {1600, 1024, 1024}, {1600, 256, 256},
}

// gemmDir is the direction of a layer product: which operand is transposed
// and how the layer's M×K×N map to the GEMM's m×n×k.
type gemmDir struct {
	name   string
	tA, tB blas.Transpose
	dims   func(s paperShape) (m, n, k int)
}

var gemmDirs = []gemmDir{
	{"fwd", blas.NoTrans, blas.NoTrans, func(s paperShape) (int, int, int) { return s.m, s.n, s.k }}, // Y = X W
	{"bwdX", blas.NoTrans, blas.Trans, func(s paperShape) (int, int, int) { return s.m, s.k, s.n }},  // dX = dY Wᵀ
	{"bwdW", blas.Trans, blas.NoTrans, func(s paperShape) (int, int, int) { return s.k, s.n, s.m }},  // dW = Xᵀ dY
}

// operands returns random operands of the direction d of shape s, with
// tight leading dimensions.
func operands(rng *rand.Rand, d gemmDir, s paperShape) (m, n, k int, a []float32, lda int, b []float32, ldb int) {
	m, n, k = d.dims(s)
	ar, ac := stored(d.tA, m, k)
	br, bc := stored(d.tB, k, n)
	return m, n, k, randSlice[float32](rng, ar*ac), ac, randSlice[float32](rng, br*bc), bc
}

// TestDeterministic checks that OpenBLAS's Sgemm is bit-for-bit repeatable
// for a fixed thread count on the paper's shapes, and logs how many
// elements change between 1 and 2 threads. They do change: OpenBLAS
// 0.3.21's kernels sum a C element in an order that depends on how the
// product is partitioned (threads, and even the rows of one call), so
// results are reproducible only with a fixed thread count and a fixed
// row partition. gonum's own kernel does not have this dependence.
func TestDeterministic(t *testing.T) {
	lib := loadOrSkip(t)
	impl := lib.Implementation()
	shapes := paperShapes
	if testing.Short() {
		shapes = shapes[2:3]
	}
	for _, s := range shapes {
		for _, d := range gemmDirs {
			t.Run(fmt.Sprintf("%s/%dx%dx%d", d.name, s.m, s.k, s.n), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(s.m), uint64(s.k*s.n)))
				m, n, k, a, lda, b, ldb := operands(rng, d, s)
				var first [3][]float32
				for threads := 1; threads <= 2; threads++ {
					withThreads(lib, threads, func() {
						for rep := range 2 {
							c := make([]float32, m*n)
							impl.Sgemm(d.tA, d.tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
							if rep == 0 {
								first[threads] = c
								continue
							}
							if i := firstDiff(first[threads], c); i >= 0 {
								t.Fatalf("%d threads, repeated call: C[%d] = %v then %v", threads, i, first[threads][i], c[i])
							}
						}
					})
				}
				t.Logf("%d of %d elements differ between 1 and 2 threads", countDiff(first[1], first[2]), m*n)
			})
		}
	}
}

// firstDiff returns the first index where x and y differ bitwise, or -1.
func firstDiff(x, y []float32) int {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return i
		}
	}
	return -1
}

// countDiff returns the number of indices where x and y differ bitwise.
func countDiff(x, y []float32) int {
	n := 0
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			n++
		}
	}
	return n
}
