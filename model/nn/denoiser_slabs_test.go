package nn

import (
	"math/rand/v2"
	"testing"
)

// A chain of taped passes recycles its slabs into the next chain of the
// same length (same bits, no new slabs), and ReleaseWorkspace drops them.
func TestDenoiserSlabPool(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 0))
	d := NewDenoiser(DenoiserConfig{YDim: 4, XDim: 6, Hidden: 16, Blocks: 2}, rng)
	const steps = 5
	yt, ts, x := groupedInputs(rng, d, 4, 3, 0)
	w := randMatrix(rng, yt.Rows, 4, 1)
	chain := func() ([]float32, map[*float32]bool) {
		ZeroGrad(d.Params())
		tape := &Tape{}
		slabs := map[*float32]bool{}
		for range steps {
			d.Forward(yt, ts, x, tape)
			slabs[&tape.saved[len(tape.saved)-1].(*denoiserRecord).slab[0]] = true
		}
		for range steps {
			d.Backward(tape, w)
		}
		return SnapshotGrads(d.Params(), nil), slabs
	}
	g1, s1 := chain()
	if len(d.ws.slabs.free) != steps {
		t.Fatalf("after a chain of %d passes the pool holds %d slabs", steps, len(d.ws.slabs.free))
	}
	g2, s2 := chain()
	for p := range s2 {
		if !s1[p] {
			t.Error("the second chain allocated a new slab")
		}
	}
	if i := sameBits(g1, g2); i >= 0 {
		t.Errorf("recycled slabs changed gradient %d", i)
	}
	d.ReleaseWorkspace()
	if len(d.ws.slabs.free) != 0 {
		t.Errorf("ReleaseWorkspace left %d slabs", len(d.ws.slabs.free))
	}
}
