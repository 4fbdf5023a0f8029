package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// estimatorRun is everything the shared-context paths produce: DDIM and
// DDPM samples, the reparameterized chain's samples and gradient, the
// score function's surrogate, ELBOs and gradient, and the loss and its
// gradient on samples with repeated contexts.
type estimatorRun struct {
	ddim, ddpm, chain, chainGrad, sfGrad, lossGrad []float64
	elbo                                           []float64
	surrogate, loss                                float64
}

// runEstimators runs every path on net with b contexts × m samples, with
// x tiled to one row per sample if tiled (as before the network took
// shared contexts).
func runEstimators(t *testing.T, net EpsNet, b, m int, tiled bool) estimatorRun {
	t.Helper()
	ctx := context.Background()
	d := NewDiffusion(net, smallSchedule(t, 60))
	d.tileContexts = tiled
	x := randMatrix(b, net.XDim(), newRNG(31))
	for i := range x.Data {
		x.Data[i] = 0.5 + 2*x.Data[i]
	}
	var r estimatorRun
	y, err := d.Sample(ctx, x, m, Sampler{Steps: 8, Eta: 0.8}, newRNG(32))
	if err != nil {
		t.Fatal(err)
	}
	r.ddim = to64(y.Data)
	yp, err := d.SampleDDPM(ctx, x, m, newRNG(33))
	if err != nil {
		t.Fatal(err)
	}
	r.ddpm = to64(yp.Data)
	nn.ZeroGrad(net.Params())
	ch, err := d.SampleReparam(ctx, x, m, Reparam{Sampler: Sampler{Steps: 6, Eta: 0.5}}, newRNG(34))
	if err != nil {
		t.Fatal(err)
	}
	r.chain = to64(ch.Samples().Data)
	if err := ch.Backward(ctx, randMatrix(b*m, net.YDim(), newRNG(35))); err != nil {
		t.Fatal(err)
	}
	r.chainGrad = gradsOf(net.Params())
	nn.ZeroGrad(net.Params())
	w := make([]float64, b*m)
	for j := range w {
		w[j] = math.Sin(float64(j))
	}
	sf, err := d.ScoreFunction(ctx, y, x, w, ScoreFunction{K: 5, Scale: 1 / float64(m), Chunk: 64}, newRNG(36))
	if err != nil {
		t.Fatal(err)
	}
	r.surrogate, r.elbo, r.sfGrad = sf.Surrogate, sf.ELBO, gradsOf(net.Params())
	nn.ZeroGrad(net.Params())
	r.loss = d.Loss(y, x, 1, newRNG(37))
	r.lossGrad = gradsOf(net.Params())
	return r
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// closeTo fails unless a and b agree to tol relative to b's largest value.
func closeTo(t *testing.T, what string, a, b []float64, tol float64) {
	t.Helper()
	var worst, scale float64
	for i := range b {
		worst = math.Max(worst, math.Abs(a[i]-b[i]))
		scale = math.Max(scale, math.Abs(b[i]))
	}
	if len(a) != len(b) || worst > tol*scale {
		t.Errorf("%s: shared and tiled contexts differ by %.3g (scale %.3g)", what, worst, scale)
	}
}

// Every path with shared contexts agrees with the tiled contexts to float32
// tolerance on nn.Denoiser (whose factored first layer sums in another
// order), for 1, 2, 7 and 64 samples per context and without context.
func TestSharedContextsMatchTiled(t *testing.T) {
	for _, c := range []struct{ xdim, m int }{{9, 1}, {9, 2}, {9, 7}, {9, 64}, {0, 7}} {
		t.Run(fmt.Sprintf("xdim=%d/m=%d", c.xdim, c.m), func(t *testing.T) {
			net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 4, XDim: c.xdim, Hidden: 32, Blocks: 2, TimeHidden: 16}, newRNG(30))
			shared := runEstimators(t, net, 3, c.m, false)
			tiled := runEstimators(t, net, 3, c.m, true)
			for _, v := range []struct {
				name string
				a, b []float64
			}{
				{"DDIM samples", shared.ddim, tiled.ddim}, {"DDPM samples", shared.ddpm, tiled.ddpm},
				{"chain samples", shared.chain, tiled.chain}, {"chain gradient", shared.chainGrad, tiled.chainGrad},
				{"ELBO", shared.elbo, tiled.elbo}, {"score-function gradient", shared.sfGrad, tiled.sfGrad},
				{"loss gradient", shared.lossGrad, tiled.lossGrad},
				{"surrogate and loss", []float64{shared.surrogate, shared.loss}, []float64{tiled.surrogate, tiled.loss}},
			} {
				closeTo(t, v.name, v.a, v.b, 1e-4)
			}
		})
	}
}

// On the float64 fake, which ignores how contexts are passed, shared and
// tiled contexts give the same bits, and the network sees one row per
// context (per group of a score-function chunk).
func TestSharedContextsReachNetwork(t *testing.T) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	shared := runEstimators(t, net, 3, 4, false)
	seen := slices.Clone(net.contextRows)
	tiled := runEstimators(t, net, 3, 4, true)
	if fmt.Sprint(shared) != fmt.Sprint(tiled) {
		t.Error("shared and tiled contexts give different results on the fake network")
	}
	// 8 DDIM + 60 DDPM + 6 chain steps on 3 contexts; one score-function
	// chunk of 60 rows (20 per context, chunk 64); the loss on 3 contexts.
	want := slices.Repeat([]int{3}, 8+60+6+1+1)
	if !slices.Equal(seen, want) {
		t.Errorf("context rows per network call %v, want %v", seen, want)
	}
	for _, r := range net.contextRows[len(seen):] {
		if r != 12 && r != 60 {
			t.Fatalf("tiled run passed %d context rows, want one per row", r)
		}
	}
}

func TestSFGrouping(t *testing.T) {
	for _, c := range []struct{ max, per, rows, group int }{
		{512, 100, 500, 100},     // M = 10, K = 10: five contexts per chunk
		{512, 250, 500, 250},     // M = 25, K = 10
		{512, 30000, 500, 500},   // synthetic: M = 30, K = 1000
		{512, 1009, 512, 1},      // a prime number of rows per context
		{5, 12, 4, 4},            // the largest divisor below the chunk
		{1, 12, 1, 1},            // one row per call
		{7, 7, 7, 7},             // exactly one context per chunk
		{4096, 100, 4000, 100},   // large chunks
		{64, 4, 64, 4},           // small groups fill the chunk
		{512, 512 * 3, 512, 512}, // the chunk divides the rows per context
	} {
		rows, group := (&Diffusion{}).sfGrouping(c.max, c.per)
		if rows != c.rows || group != c.group {
			t.Errorf("sfGrouping(%d, %d) = %d, %d, want %d, %d", c.max, c.per, rows, group, c.rows, c.group)
		}
	}
	if rows, group := (&Diffusion{tileContexts: true}).sfGrouping(512, 100); rows != 512 || group != 1 {
		t.Errorf("tiled: sfGrouping(512, 100) = %d, %d, want 512, 1", rows, group)
	}
}

// Shared-context sampling and both estimators on nn.Denoiser give the same
// bits for GOMAXPROCS 1 and 2.
func TestSharedContextsDeterministic(t *testing.T) {
	run := func(procs int) estimatorRun {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 24, XDim: 149, Hidden: 64, Blocks: 3}, newRNG(38))
		return runEstimators(t, net, 8, 25, false)
	}
	if one, two := run(1), run(2); fmt.Sprint(one) != fmt.Sprint(two) {
		t.Error("results with shared contexts depend on GOMAXPROCS")
	}
}

// ELBO_j by hand for samples of several contexts, with chunks that split
// the rows of a context: each sample's rows must see its own context.
func TestScoreFunctionELBOContexts(t *testing.T) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	d := NewDiffusion(net, smallSchedule(t, 50))
	const b, m, K = 3, 3, 2
	y, x := randMatrix(b*m, 3, newRNG(2)), randMatrix(b, 2, newRNG(3))
	rng := newRNG(5)
	ts := make([]int, b*m*K)
	for r := range ts {
		ts[r] = rng.IntN(50)
	}
	want := make([]float64, b*m)
	for r, ti := range ts {
		j := r / K
		eps := randMatrix(1, 3, rng)
		yt := d.Sched.Noise(&nn.Matrix{Rows: 1, Cols: 3, Data: y.Row(j)}, []int{ti}, eps)
		xj := &nn.Matrix{Rows: 1, Cols: 2, Data: x.Row(j / m)}
		pred := net.Forward(yt, []int{ti}, xj, nil)
		for k := range pred.Data {
			diff := float64(pred.Data[k] - eps.Data[k])
			want[j] -= diff * diff / K
		}
	}
	for _, chunk := range []int{1, 4, 5, 0} {
		r, err := d.ScoreFunction(context.Background(), y, x, make([]float64, b*m), ScoreFunction{K: K, Scale: 1, Chunk: chunk}, newRNG(5))
		if err != nil {
			t.Fatal(err)
		}
		for j := range want {
			if math.Abs(r.ELBO[j]-want[j]) > 1e-6*math.Abs(want[j]) {
				t.Errorf("chunk %d: ELBO[%d] = %g, want %g", chunk, j, r.ELBO[j], want[j])
			}
		}
	}
}
