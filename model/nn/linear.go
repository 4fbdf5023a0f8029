package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Linear is the affine layer y = act(x·Wᵀ + b). W is stored Out × In, row
// major, exactly like PyTorch's nn.Linear.weight, so a state dict maps over
// without transposition; the activation is fused into the bias pass.
type Linear struct {
	In, Out int
	Act     Activation
	Weight  *Param // Out × In
	Bias    *Param // 1 × Out
	ws      workspace
}

// NewLinear returns a Linear layer with PyTorch's default initialization,
// W and b ~ U(±1/√In), drawn from rng (W row-major first, then b). Parameter
// names are prefix+".weight" and prefix+".bias".
func NewLinear(prefix string, in, out int, act Activation, rng *rand.Rand) *Linear {
	if in <= 0 || out <= 0 {
		panic(fmt.Errorf("%w: Linear(%d, %d)", ErrConfig, in, out))
	}
	l := &Linear{
		In: in, Out: out, Act: act,
		Weight: newParam(join(prefix, "weight"), out, in),
		Bias:   newParam(join(prefix, "bias"), 1, out),
	}
	bound := 1 / math.Sqrt(float64(in))
	uniform(l.Weight.W.Data, bound, rng)
	uniform(l.Bias.W.Data, bound, rng)
	return l
}

// newParam allocates a zero parameter and its gradient.
func newParam(name string, rows, cols int) *Param {
	return &Param{Name: name, W: NewMatrix(rows, cols), G: NewMatrix(rows, cols)}
}

// join builds a dotted parameter name.
func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// uniform fills v with draws from U(−bound, bound).
func uniform(v []float32, bound float64, rng *rand.Rand) {
	for i := range v {
		v[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// Params returns the weight and the bias.
func (l *Linear) Params() []*Param { return []*Param{l.Weight, l.Bias} }

// linearRecord is what Linear.Forward leaves on the tape: its input and, for
// the backward of the activation, the pre-activation (SiLU) or the output
// (ReLU).
type linearRecord struct {
	layer *Linear
	x     *Matrix
	saved *Matrix
}

// TapeBytes counts the saved activation, and the input (which the previous
// layer usually also returned, so it may be counted twice on one tape).
func (r *linearRecord) TapeBytes() int64 {
	n := 4 * int64(len(r.x.Data))
	if r.saved != nil {
		n += 4 * int64(len(r.saved.Data))
	}
	return n
}

// Forward returns act(x·Wᵀ + b). With a tape it keeps a reference to x: do
// not modify x before Backward.
func (l *Linear) Forward(x *Matrix, tape *Tape) *Matrix {
	mustCols("Linear.Forward", x, l.In)
	out := NewMatrix(x.Rows, l.Out)
	pre := out
	if l.Act == ActSiLU {
		pre = NewMatrix(x.Rows, l.Out)
	}
	l.ws.gemm.matMulT(x, l.Weight.W, pre)
	biasActPass(l.Act, pre, l.Bias.W.Data, out)
	if tape != nil {
		rec := &linearRecord{layer: l, x: x}
		switch l.Act {
		case ActSiLU:
			rec.saved = pre
		case ActReLU:
			rec.saved = out
		}
		tape.Push(rec)
	}
	return out
}

// Backward adds dL/dW = dpreᵀ·x and dL/db = Σ_rows dpre into the gradients
// and returns dL/dx = dpre·W, where dpre = dy ⊙ act'.
func (l *Linear) Backward(tape *Tape, dy *Matrix) *Matrix {
	rec, ok := tape.Pop().(*linearRecord)
	if !ok || rec.layer != l {
		panic(fmt.Errorf("%w: Linear %s backward", ErrTape, l.Weight.Name))
	}
	mustCols("Linear.Backward", dy, l.Out)
	if dy.Rows != rec.x.Rows {
		panic(fmt.Errorf("%w: Linear.Backward: %d gradient rows for %d input rows", ErrShape, dy.Rows, rec.x.Rows))
	}
	dpre := NewMatrix(dy.Rows, l.Out)
	actBackwardPass(l.Act, dy, rec.saved, dpre, l.Bias.G.Data, &l.ws, 0)
	dx := NewMatrix(dy.Rows, l.In)
	l.ws.gemm.linearBackward(dpre, rec.x, l.Weight.W, l.Weight.G, dx)
	return dx
}

// Products over many rows are split into row blocks that run on separate
// goroutines, so that both cores work even when the BLAS itself runs on one
// thread (internal/openblas recommends one OpenBLAS thread for code that
// keeps the cores busy with goroutines: its idle threads spin and compete
// with Go's). The blocks depend only on the shape, so results do not depend
// on the number of workers.

// gemmBlock is the largest number of rows in one block of a split product;
// gradBlock the largest number of weight rows in one block of a weight
// gradient (smaller, so that a 256-wide layer still splits in two). Blocks
// are of equal size: 1024 rows are two blocks of 512, 1600 rows four of 400.
const (
	gemmBlock = 512
	gradBlock = 128
)

// gemmPlan says how a network's matrix products run: split into the row
// blocks above (the default), or whole, one BLAS call each, which
// benchmarks set to compare the two strategies. Each network keeps its
// plan in its workspace.
type gemmPlan struct {
	whole bool
}

// forBlocks calls fn(lo, hi) for ⌈n/maxSize⌉ equal blocks of [0, n) on up
// to GOMAXPROCS goroutines.
func (gp gemmPlan) forBlocks(n, maxSize int, fn func(lo, hi int)) {
	if gp.whole {
		fn(0, n)
		return
	}
	nb := (n + maxSize - 1) / maxSize
	size := (n + nb - 1) / nb
	nb = (n + size - 1) / size
	block := func(i int) { fn(i*size, min(n, (i+1)*size)) }
	if workers := min(runtime.GOMAXPROCS(0), nb); workers > 1 {
		cores.Do(nb, workers, block)
		return
	}
	for i := range nb {
		block(i) // the same blocks as in parallel: same bits
	}
}

// rowsOf views rows [lo, hi) of m as a BLAS matrix.
func rowsOf(m *Matrix, lo, hi int) blas32.General {
	return blas32.General{Rows: hi - lo, Cols: m.Cols, Stride: m.Cols, Data: m.Data[lo*m.Cols : hi*m.Cols]}
}

// colsOf views columns [lo, hi) of m as a BLAS matrix.
func colsOf(m *Matrix, lo, hi int) blas32.General {
	return blas32.General{Rows: m.Rows, Cols: hi - lo, Stride: m.Cols, Data: m.Data[lo : (m.Rows-1)*m.Cols+hi]}
}

// matMulT sets c = a·bᵀ through blas32 (so a swapped-in BLAS accelerates it).
func (gp gemmPlan) matMulT(a, b, c *Matrix) {
	if c.Rows == 0 || c.Cols == 0 {
		return
	}
	if a.Cols == 0 {
		clear(c.Data)
		return
	}
	bg := b.General()
	gp.forBlocks(c.Rows, gemmBlock, func(lo, hi int) {
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, rowsOf(a, lo, hi), bg, 0, rowsOf(c, lo, hi))
	})
}

// matMul sets c = a·b.
func (gp gemmPlan) matMul(a, b, c *Matrix) {
	if c.Rows == 0 || c.Cols == 0 {
		return
	}
	if a.Cols == 0 {
		clear(c.Data)
		return
	}
	bg := b.General()
	gp.forBlocks(c.Rows, gemmBlock, func(lo, hi int) {
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, rowsOf(a, lo, hi), bg, 0, rowsOf(c, lo, hi))
	})
}

// linearBackward adds dyᵀ·x into the weight gradient g and sets
// dx = dy·w: the two products of a Linear layer's backward pass, which are
// independent and of equal cost, run side by side when a core is idle
// (gemmPlan.both), one after the other otherwise. Each product is
// computed whole (not split), so the result does not depend on GOMAXPROCS;
// this halves the synchronization points of a backward pass against
// splitting each product in turn. dx may be nil when not needed.
func (gp gemmPlan) linearBackward(dy, x, w, g, dx *Matrix) {
	if dx == nil {
		gp.addMatTMul(dy, x, g)
		return
	}
	gp.both(func() { addMatTMulWhole(dy, x, g) }, func() { matMulWhole(dy, w, dx) })
}

// matMulWhole sets c = a·b in one BLAS call.
func matMulWhole(a, b, c *Matrix) {
	if c.Rows == 0 || c.Cols == 0 {
		return
	}
	if a.Cols == 0 {
		clear(c.Data)
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a.General(), b.General(), 0, c.General())
}

// addMatTMulWhole adds aᵀ·b into c in one BLAS call.
func addMatTMulWhole(a, b, c *Matrix) {
	if a.Rows == 0 || c.Rows == 0 || c.Cols == 0 {
		return
	}
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a.General(), b.General(), 1, c.General())
}

// addMatTMul adds aᵀ·b into c (the weight-gradient product dyᵀ·x), split
// over the rows of c, i.e. the columns of a.
func (gp gemmPlan) addMatTMul(a, b, c *Matrix) {
	if a.Rows == 0 || c.Rows == 0 || c.Cols == 0 {
		return
	}
	bg := b.General()
	gp.forBlocks(c.Rows, gradBlock, func(lo, hi int) {
		blas32.Gemm(blas.Trans, blas.NoTrans, 1, colsOf(a, lo, hi), bg, 1, rowsOf(c, lo, hi))
	})
}
