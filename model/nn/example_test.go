package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// The Denoiser is the network behind model.EpsNet.
var _ model.EpsNet = (*nn.Denoiser)(nil)

// A training step of the power task's denoiser: forward with a tape,
// backward from dL/dε̂, Adam; then the parameters as an artifact.
func ExampleDenoiser() {
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.NewDenoiser(nn.DenoiserConfig{YDim: 24, XDim: 149, Hidden: 64, Blocks: 3}, rng)
	opt := nn.NewAdamW(net.Params(), 1e-3, 1e-4)

	rows := 32
	yt, x := nn.NewMatrix(rows, 24), nn.NewMatrix(rows, 149)
	t := make([]int, rows)
	for i := range t {
		t[i] = rng.IntN(1000)
	}
	tape := &nn.Tape{}
	eps := net.Forward(yt, t, x, tape)
	dEps := nn.NewMatrix(eps.Rows, eps.Cols) // dL/dε̂ of the caller's loss
	for i := range dEps.Data {
		dEps.Data[i] = 2 * eps.Data[i] / float32(len(eps.Data)) // L = mean ε̂²
	}
	opt.ZeroGrad()
	dyt := net.Backward(tape, dEps)
	opt.Step()

	rec, err := net.Record()
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind)
	fmt.Println(eps.Rows, eps.Cols, dyt.Rows, dyt.Cols, tape.Len())
	fmt.Println(kind, rec.NumRows() == int64(nn.NumParams(net.Params())))
	// Output:
	// 32 24 32 24 0
	// model.params true
}
