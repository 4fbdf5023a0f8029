package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/diffusion-dfl/pipe/pipeline/cores"
)

// stepResult is everything one training step produces.
type stepResult struct {
	out, dyt, grads, weights []float32
	norm                     float64
}

// trainStep runs forward, backward and an AdamW step of a fresh power-shaped
// denoiser on fixed data, with the given GOMAXPROCS.
func trainStep(t *testing.T, procs int) stepResult {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	rng := rand.New(rand.NewPCG(10, 0))
	d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: 149, Hidden: 256, Blocks: 3}, rng)
	yt, steps, x := denoiserInputs(rng, d, 700, 1000)
	tape := &Tape{}
	out := d.Forward(yt, steps, x, tape)
	dyt := d.Backward(tape, randMatrix(rng, 700, 24, 1))
	r := stepResult{out: out.Data, dyt: dyt.Data, grads: SnapshotGrads(d.Params(), nil), norm: GradNorm(d.Params())}
	NewAdamW(d.Params(), 1e-3, 1e-4).Step()
	for _, p := range d.Params() {
		r.weights = append(r.weights, p.W.Data...)
	}
	return r
}

func sameBits(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestDeterministicAcrossGOMAXPROCS: chunk boundaries and reduction order do
// not depend on the number of workers, so 1 and 2 give identical bits.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	sameStep(t, "GOMAXPROCS 1 and 2", trainStep(t, 1), trainStep(t, 2))
}

// sameStep fails t for every part of two training steps whose bits differ.
func sameStep(t *testing.T, between string, a, b stepResult) {
	t.Helper()
	for _, c := range []struct {
		name string
		a, b []float32
	}{{"output", a.out, b.out}, {"dL/dy_t", a.dyt, b.dyt}, {"gradients", a.grads, b.grads}, {"weights after AdamW", a.weights, b.weights}} {
		if i := sameBits(c.a, c.b); i >= 0 {
			t.Errorf("%s differ between %s (first at %d)", c.name, between, i)
		}
	}
	if a.norm != b.norm {
		t.Errorf("gradient norm %v vs %v (%s)", a.norm, b.norm, between)
	}
}

// TestDeterministicWithCoresHeld: on two cores with both held by stages
// running beside this one (package cores), every pass runs its chunks on
// the calling goroutine, and the step is bit-identical to the one that
// spread its chunks over both cores.
func TestDeterministicWithCoresHeld(t *testing.T) {
	spread := trainStep(t, 2)
	r1, r2 := cores.Hold(), cores.Hold()
	inline := trainStep(t, 2)
	r1()
	r2()
	sameStep(t, "spread and inline passes", spread, inline)
}

// TestTapeAndWorkspaceReuse checks that the forward output does not depend
// on taping, that recycled tape slabs give the same step as fresh ones, and
// that a chain of forwards on one tape back-propagates in LIFO order to the
// sum of the single-step gradients.
func TestTapeAndWorkspaceReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	d := NewDenoiser(DenoiserConfig{YDim: 5, XDim: 7, Hidden: 32, Blocks: 2}, rng)
	var ins [3]struct {
		yt, x, w *Matrix
		t        []int
	}
	for i := range ins {
		ins[i].yt, ins[i].t, ins[i].x = denoiserInputs(rng, d, 150, 1000)
		ins[i].w = randMatrix(rng, 150, 5, 1)
	}
	if i := sameBits(d.Forward(ins[0].yt, ins[0].t, ins[0].x, nil).Data, d.Forward(ins[0].yt, ins[0].t, ins[0].x, &Tape{}).Data); i >= 0 {
		t.Fatalf("taped and untaped outputs differ at %d", i)
	}
	single := make([][]float32, len(ins))
	for rep := range 2 { // the second round runs on recycled slabs
		for i, in := range ins {
			ZeroGrad(d.Params())
			tape := &Tape{}
			d.Forward(in.yt, in.t, in.x, tape)
			d.Backward(tape, in.w)
			g := SnapshotGrads(d.Params(), nil)
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
	if tape.Len() != 6 || tape.PeakBytes() != tape.Bytes() || tape.Bytes() <= 0 {
		t.Fatalf("tape of 3 forwards: %d records, %d bytes, peak %d", tape.Len(), tape.Bytes(), tape.PeakBytes())
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
			t.Fatalf("gradient %d: chain %g, sum of single steps %g", j, chain[j], sum)
		}
	}
}

// TestTapeBytesPerRow checks the documented record size: 4·(in + 1 +
// Blocks·(2h+2)) bytes per row for the body, plus the time record.
func TestTapeBytesPerRow(t *testing.T) {
	d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: 149, Hidden: 256, Blocks: 3}, rand.New(rand.NewPCG(12, 0)))
	rows := 100
	steps := make([]int, rows) // one distinct step, as in a DDIM step
	tape := &Tape{}
	d.Forward(NewMatrix(rows, 24), steps, NewMatrix(rows, 149), tape)
	body := int64(rows * 4 * (189 + 1 + 3*(2*256+2)))
	timeRec := int64(4*rows + 8 + 4*256)
	if got := tape.Bytes(); got != body+timeRec {
		t.Errorf("tape holds %d bytes, want %d + %d", got, body, timeRec)
	}
	if body/int64(rows)+4 != 6932 {
		t.Errorf("%d bytes per row, documented 6932", body/int64(rows)+4)
	}
}

// TestDenoiserZeroRows: an empty batch is legal and leaves gradients at 0.
func TestDenoiserZeroRows(t *testing.T) {
	d := NewDenoiser(DenoiserConfig{YDim: 3, XDim: 2, Hidden: 8, Blocks: 2}, rand.New(rand.NewPCG(18, 0)))
	tape := &Tape{}
	out := d.Forward(NewMatrix(0, 3), nil, NewMatrix(0, 2), tape)
	dyt := d.Backward(tape, NewMatrix(0, 3))
	if out.Rows != 0 || dyt.Rows != 0 || tape.Len() != 0 || GradNorm(d.Params()) != 1e-6 {
		t.Errorf("empty batch: out %v, dy_t %v, tape %d, grad norm %v", out, dyt, tape.Len(), GradNorm(d.Params()))
	}
}
