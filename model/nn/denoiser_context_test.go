package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// tileContexts repeats every context row g times (row r ↔ context r/g).
func tileContexts(x *Matrix, g int) *Matrix {
	out := NewMatrix(x.Rows*g, x.Cols)
	for i := range out.Rows {
		copy(out.Row(i), x.Row(i/g))
	}
	return out
}

// groupedInputs draws nctx contexts with group rows each: y_t, steps that
// repeat, and contexts N(offset, 1) (an offset exercises the centering).
func groupedInputs(rng *rand.Rand, d *Denoiser, nctx, group int, offset float64) (*Matrix, []int, *Matrix) {
	n := nctx * group
	steps := make([]int, n)
	for i := range steps {
		steps[i] = rng.IntN(20)
	}
	x := randMatrix(rng, nctx, d.XDim(), 1)
	for i := range x.Data {
		x.Data[i] += float32(offset)
	}
	return randMatrix(rng, n, d.YDim(), 1), steps, x
}

// withFactorSingle runs f with d's factored first layer also for G = 1.
func withFactorSingle(d *Denoiser, f func()) {
	defer func(old bool) { d.factorSingle = old }(d.factorSingle)
	d.factorSingle = true
	f()
}

// The factored first layer's forward pass and every gradient against the
// float64 reference and its finite differences, for group sizes 1 (forced
// through the factored path), 2, 7 and all rows in one context, and for a
// network without context (XDim 0, x with no columns).
func TestDenoiserContextGradients(t *testing.T) {
	for _, c := range []struct {
		xdim, blocks, nctx, group int
	}{
		{4, 1, 35, 1}, {4, 3, 35, 2}, {4, 2, 10, 7}, {4, 3, 1, 70}, {0, 2, 10, 7},
	} {
		t.Run(fmt.Sprintf("xdim=%d/blocks=%d/group=%d", c.xdim, c.blocks, c.group), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(21, uint64(c.group)))
			d := NewDenoiser(DenoiserConfig{YDim: 3, XDim: c.xdim, Hidden: 8, Blocks: c.blocks, TimeDim: 4, TimeHidden: 6}, rng)
			for _, ln := range append([]*LayerNorm{d.NormIn}, d.Norm...) {
				perturb(ln.Gamma, rng, 1, 0.3)
				perturb(ln.Beta, rng, 0, 0.3)
			}
			yt, steps, x := groupedInputs(rng, d, c.nctx, c.group, 0.7)
			withFactorSingle(d, func() {
				checkDenoiserOn(t, d, yt, steps, x, func(*Param) []int { return nil }, rng)
			})
		})
	}
}

// denoiserPass is one forward and backward pass's results.
type denoiserPass struct {
	out, dyt, grads []float32
	tapeBytes       int64
}

func runPass(d *Denoiser, yt *Matrix, steps []int, x, w *Matrix) denoiserPass {
	ZeroGrad(d.Params())
	tape := &Tape{}
	out := d.Forward(yt, steps, x, tape)
	p := denoiserPass{out: out.Data, tapeBytes: tape.Bytes()}
	p.dyt = d.Backward(tape, w).Data
	p.grads = SnapshotGrads(d.Params(), nil)
	return p
}

// relErr is max|a−b| over max|b|: the error relative to the tensor's scale.
func relErr(a, b []float32) float64 {
	var worst, scale float64
	for i := range b {
		worst = math.Max(worst, math.Abs(float64(a[i])-float64(b[i])))
		scale = math.Max(scale, math.Abs(float64(b[i])))
	}
	if scale == 0 {
		return worst
	}
	return worst / scale
}

// compareTiled fails unless the factored pass agrees with the tiled (dense)
// one to float32 tolerance on the output, dL/dy_t and every parameter's
// gradient, each relative to its own scale.
func compareTiled(t *testing.T, d *Denoiser, grouped, tiled denoiserPass, tol float64) {
	t.Helper()
	if e := relErr(grouped.out, tiled.out); e > tol {
		t.Errorf("output: relative difference %.3g", e)
	}
	if e := relErr(grouped.dyt, tiled.dyt); e > tol {
		t.Errorf("dL/dy_t: relative difference %.3g", e)
	}
	off := 0
	for _, p := range d.Params() {
		k := len(p.G.Data)
		if e := relErr(grouped.grads[off:off+k], tiled.grads[off:off+k]); e > tol {
			t.Errorf("%s gradient: relative difference %.3g", p.Name, e)
		}
		off += k
	}
}

// Grouped contexts and the same contexts tiled to one row each (the dense
// first layer) agree to float32 rounding, at the power task's widths, for
// group sizes 1, 2, 7 and 64, without context, and for contexts whose mean
// is 50 times their spread.
func TestDenoiserContextMatchesTiled(t *testing.T) {
	for _, c := range []struct {
		xdim, group int
		offset      float64
	}{{149, 1, 0}, {149, 2, 0}, {149, 7, 0.5}, {149, 64, -1}, {0, 7, 0}, {149, 25, 50}} {
		t.Run(fmt.Sprintf("xdim=%d/group=%d/offset=%g", c.xdim, c.group, c.offset), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(22, uint64(c.group)))
			d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: c.xdim, Hidden: 64, Blocks: 3}, rng)
			for _, ln := range append([]*LayerNorm{d.NormIn}, d.Norm...) {
				perturb(ln.Gamma, rng, 1, 0.3)
				perturb(ln.Beta, rng, 0, 0.3)
			}
			yt, steps, x := groupedInputs(rng, d, 5, c.group, c.offset)
			w := randMatrix(rng, yt.Rows, 24, 1)
			tiled := runPass(d, yt, steps, tileContexts(x, c.group), w)
			var grouped denoiserPass
			withFactorSingle(d, func() { grouped = runPass(d, yt, steps, x, w) })
			compareTiled(t, d, grouped, tiled, 1e-5)
			if want := denoiserTapeBytes(d.Config(), yt.Rows, x.Rows, distinctSteps(steps)); grouped.tapeBytes != want {
				t.Errorf("factored pass's tape holds %d bytes, want %d", grouped.tapeBytes, want)
			}
		})
	}
}

// distinctSteps counts the distinct values of t.
func distinctSteps(t []int) int {
	seen := map[int]bool{}
	for _, v := range t {
		seen[v] = true
	}
	return len(seen)
}

// denoiserTapeBytes is the documented tape size of one factored forward
// pass: per row 4·(dr + 2 + Blocks·(2h+2)) + 4 bytes (the body, and the time
// record's row index), per context 4·(dx + h), and 4·2h once, plus the
// time record's 4·TimeHidden + 8 bytes per distinct step.
func denoiserTapeBytes(c DenoiserConfig, rows, nctx, uniq int) int64 {
	dr := c.YDim + c.TimeDim
	perRow := 4*(dr+2+c.Blocks*(2*c.Hidden+2)) + 4
	return int64(rows*perRow + nctx*4*(c.XDim+c.Hidden) + 8*c.Hidden + uniq*(4*c.TimeHidden+8))
}

// TestContextTapeBytes reports the tape per row of a DDIM step (64 contexts
// × 25 samples, one step) with tiled and with grouped contexts.
func TestContextTapeBytes(t *testing.T) {
	for _, c := range []struct {
		name             string
		ydim, xdim       int
		dense, perRowCtx int64 // bytes per row: tiled, and grouped with 25 rows per context
	}{{"power", 24, 149, 6932, 6406}, {"portfolio", 50, 1400, 12040, 6710}} {
		d := NewDenoiser(DenoiserConfig{YDim: c.ydim, XDim: c.xdim, Hidden: 256, Blocks: 3}, rand.New(rand.NewPCG(23, 0)))
		const nctx, group = 64, 25
		n := nctx * group
		steps := make([]int, n)
		x := NewMatrix(nctx, c.xdim)
		bytes := func(x *Matrix) int64 {
			tape := &Tape{}
			d.Forward(NewMatrix(n, c.ydim), steps, x, tape)
			return tape.Bytes()
		}
		tiled, grouped := bytes(tileContexts(x, group)), bytes(x)
		if want := denoiserTapeBytes(d.Config(), n, nctx, 1); grouped != want {
			t.Errorf("%s: grouped tape %d bytes, want %d", c.name, grouped, want)
		}
		tb, gb := tiled/int64(n), grouped/int64(n)
		if tb != c.dense || gb != c.perRowCtx {
			t.Errorf("%s: %d and %d bytes per row tiled and grouped, documented %d and %d", c.name, tb, gb, c.dense, c.perRowCtx)
		}
		t.Logf("%s: tape per row %d bytes tiled, %d grouped (%.0f%%)", c.name, tb, gb, 100*float64(gb)/float64(tb))
	}
}

// The factored path gives the same bits for GOMAXPROCS 1 and 2.
func TestDenoiserContextDeterministic(t *testing.T) {
	run := func(procs int) denoiserPass {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewPCG(24, 0))
		d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: 149, Hidden: 256, Blocks: 3}, rng)
		yt, steps, x := groupedInputs(rng, d, 28, 25, 0.3)
		return runPass(d, yt, steps, x, randMatrix(rng, yt.Rows, 24, 1))
	}
	one, two := run(1), run(2)
	for _, c := range []struct {
		name string
		a, b []float32
	}{{"output", one.out, two.out}, {"dL/dy_t", one.dyt, two.dyt}, {"gradients", one.grads, two.grads}} {
		if i := sameBits(c.a, c.b); i >= 0 {
			t.Errorf("%s differ between GOMAXPROCS 1 and 2 (first at %d)", c.name, i)
		}
	}
}

// Factored and dense records on one tape back-propagate in LIFO order to
// the sum of the single passes, and recycled slabs give the same bits.
func TestDenoiserContextChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 0))
	d := NewDenoiser(DenoiserConfig{YDim: 5, XDim: 7, Hidden: 32, Blocks: 2}, rng)
	type input struct {
		yt, x, w *Matrix
		t        []int
	}
	var ins []input
	for _, g := range []int{10, 1, 3} {
		yt, steps, x := groupedInputs(rng, d, 12, g, 0)
		ins = append(ins, input{yt, x, randMatrix(rng, yt.Rows, 5, 1), steps})
	}
	single := make([][]float32, len(ins))
	for rep := range 2 {
		for i, in := range ins {
			g := runPass(d, in.yt, in.t, in.x, in.w).grads
			if rep == 1 && sameBits(g, single[i]) >= 0 {
				t.Fatalf("input %d: gradients changed when the workspace was reused", i)
			}
			single[i] = g
		}
	}
	ZeroGrad(d.Params())
	tape := &Tape{}
	for _, in := range ins {
		d.Forward(in.yt, in.t, in.x, tape)
	}
	for i := len(ins) - 1; i >= 0; i-- {
		d.Backward(tape, ins[i].w)
	}
	if tape.Len() != 0 || tape.Bytes() != 0 {
		t.Fatalf("tape left with %d records, %d bytes", tape.Len(), tape.Bytes())
	}
	chain := SnapshotGrads(d.Params(), nil)
	for j := range chain {
		sum := single[0][j] + single[1][j] + single[2][j]
		if math.Abs(float64(chain[j]-sum)) > 1e-5*(1+math.Abs(float64(sum))) {
			t.Fatalf("gradient %d: chain %g, sum of single passes %g", j, chain[j], sum)
		}
	}
}

// A context matrix whose rows do not divide the batch is a shape error.
func TestDenoiserContextShapePanics(t *testing.T) {
	d := NewDenoiser(DenoiserConfig{YDim: 2, XDim: 3, Hidden: 8, Blocks: 1}, rand.New(rand.NewPCG(26, 0)))
	for _, xr := range []int{0, 4, 7} {
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, ErrShape) {
					t.Errorf("%d context rows for 6 rows: panic %v, want ErrShape", xr, err)
				}
			}()
			d.Forward(NewMatrix(6, 2), make([]int, 6), NewMatrix(xr, 3), nil)
		}()
	}
}
