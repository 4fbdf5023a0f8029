package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSinusoidCheckValues compares the 16-dimensional embedding with values
// computed by hand: f_k = 10^(−k/2) for k = 0..7, cos first.
func TestSinusoidCheckValues(t *testing.T) {
	e := Sinusoid([]int{0, 1, 500}, 16)
	for k := range 8 {
		if e.At(0, k) != 1 || e.At(0, 8+k) != 0 {
			t.Errorf("t=0, k=%d: cos %g sin %g, want 1, 0", k, e.At(0, k), e.At(0, 8+k))
		}
	}
	for _, c := range []struct {
		row, col int
		want     float64
	}{
		{1, 0, 0.540302306}, {1, 8, 0.841470985}, // t=1, f=1
		{1, 1, 0.950415280}, {1, 9, 0.310983593}, // t=1, f=10^−½
		{2, 4, 0.283662185}, {2, 12, -0.958924275}, // t=500, f=10^−2: 5 rad
		{2, 7, 0.987526020}, {2, 15, 0.157455898}, // t=500, f=10^−3.5: 0.158113883 rad
	} {
		if got := float64(e.At(c.row, c.col)); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("row %d col %d = %.9f, want %.9f", c.row, c.col, got, c.want)
		}
	}
}

func TestTimeEmbeddingGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	te := NewTimeEmbedding("time_mlp", 6, 10, rng)
	steps := make([]int, 90)
	for i := range steps {
		steps[i] = rng.IntN(25) // repeats: rows share embeddings
	}
	tape := &Tape{}
	out := te.Forward(steps, tape)
	v := paramVals(te.Params())
	assertClose(t, "TimeEmbedding", out, refTime(te, v, steps), 1e-5)
	w := randMatrix(rng, len(steps), 6, 1)
	te.Backward(tape, w)
	if tape.Len() != 0 {
		t.Fatal("tape not empty")
	}
	loss := func() float64 { return dot(w, refTime(te, v, steps)) }
	for _, p := range te.Params() {
		fdCheck(t, p.Name, v[p], nil, p.G.Data, loss)
	}
}

func TestTimeEmbeddingSharesSteps(t *testing.T) {
	te := NewTimeEmbedding("", 16, 256, rand.New(rand.NewPCG(9, 0)))
	tape := &Tape{}
	out := te.Forward([]int{7, 3, 7, 7, 3}, tape)
	rec := tape.Pop().(*timeRecord)
	if len(rec.uniq) != 2 || rec.uniq[0] != 3 || rec.uniq[1] != 7 || rec.pre.Rows != 2 {
		t.Fatalf("distinct steps %v, pre %d rows; want [3 7], 2", rec.uniq, rec.pre.Rows)
	}
	for j := range 16 {
		if out.At(0, j) != out.At(2, j) || out.At(1, j) != out.At(4, j) {
			t.Fatalf("rows with equal steps differ in column %d", j)
		}
	}
}

// TestSigmoidRow checks both kernels (assembly where the CPU has AVX2 and
// FMA, and pure Go) against float64, on lengths that leave assembly tails.
func TestSigmoidRow(t *testing.T) {
	var x []float32
	for v := -90.0; v <= 90; v += 0.00731 {
		x = append(x, float32(v))
	}
	x = x[:len(x)-len(x)%8+5]
	for _, k := range []rowKernels{{}, {asm: haveAsm}} {
		useAsm := k.asm
		got := make([]float32, len(x))
		k.sigmoidRow(x, got)
		var worst float64
		for i, v := range x {
			want := 1 / (1 + math.Exp(-float64(v)))
			if want < 1e-37 {
				continue // clamped region: checked below
			}
			worst = math.Max(worst, math.Abs(float64(got[i])-want)/want)
		}
		if worst > 2.5e-7 {
			t.Errorf("asm %v: sigmoid relative error %.3g, want ≤ 2.5e-7 (about 2 ulp)", useAsm, worst)
		}
		edge := []float32{-1000, -88.5, 86.9, 1000, float32(math.Inf(-1)), float32(math.Inf(1)), float32(math.NaN()), 0, 1}
		k.sigmoidRow(edge, edge) // in place, 8 lanes + 1 tail element
		if edge[0] > 1e-38 || edge[0] < 0 || edge[1] > 1e-38 || edge[2] != 1 || edge[3] != 1 ||
			edge[4] > 1e-38 || edge[5] != 1 || !math.IsNaN(float64(edge[6])) || edge[7] != 0.5 {
			t.Errorf("asm %v: edge cases: %v", useAsm, edge)
		}
	}
}

// TestSiluBiasRow checks the fused bias + SiLU kernel (both paths) against
// float64: sig = σ(p+b), s = (p+b)·σ(p+b).
func TestSiluBiasRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 0))
	n := 8*37 + 3
	p, b := randMatrix(rng, 1, n, 4).Data, randMatrix(rng, 1, n, 1).Data
	for _, k := range []rowKernels{{}, {asm: haveAsm}} {
		useAsm := k.asm
		sig, s := make([]float32, n), make([]float32, n)
		k.siluBiasRow(p, b, sig, s)
		for j := range n {
			v := float64(p[j] + b[j])
			ws := 1 / (1 + math.Exp(-v))
			if math.Abs(float64(sig[j])-ws) > 3e-7*ws || math.Abs(float64(s[j])-v*ws) > 4e-7*math.Abs(v*ws)+1e-30 {
				t.Fatalf("asm %v, element %d: σ %g s %g, want %g %g", useAsm, j, sig[j], s[j], ws, v*ws)
			}
		}
	}
}

// TestDistinct covers the table path (small range) and the sorting path
// (range over 2^20), and the sinusoid cache against direct evaluation.
func TestDistinct(t *testing.T) {
	for _, steps := range [][]int{{5, 3, 5, 9, 3}, {5, 3 << 21, 5, -9, 3 << 21}} {
		uniq, idx := distinct(steps)
		for i := 1; i < len(uniq); i++ {
			if uniq[i] <= uniq[i-1] {
				t.Fatalf("%v: distinct values %v not increasing", steps, uniq)
			}
		}
		if len(uniq) != 3 {
			t.Fatalf("%v: %d distinct values %v, want 3", steps, len(uniq), uniq)
		}
		for i, v := range steps {
			if uniq[idx[i]] != v {
				t.Fatalf("%v: row %d maps to %d", steps, i, uniq[idx[i]])
			}
		}
	}
	te := NewTimeEmbedding("", 16, 4, rand.New(rand.NewPCG(1, 1)))
	steps := []int{999, 0, -3, sinCacheMax + 5, 17}
	got := NewMatrix(len(steps), 16)
	te.sinusoids(steps, got)
	if i := sameBits(got.Data, Sinusoid(steps, 16).Data); i >= 0 {
		t.Errorf("cached sinusoid differs at %d", i)
	}
}
