package stages

import (
	"context"
	"fmt"
	"testing"

	"github.com/diffusion-dfl/pipe/datasets"
	"github.com/diffusion-dfl/pipe/model"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// BenchmarkEvaluateDraws times one evaluate stage's work (hold and test
// splits) of a default-size diffusion model (width 256, 3 blocks) with the
// default profile's M = 16 and S (50 synthetic, 20 otherwise), for R = 1
// and R = 5 draws: what the draws cost per evaluation stage.
func BenchmarkEvaluateDraws(b *testing.B) {
	for _, bt := range benchTasks {
		dir := ""
		if bt.file != "" {
			dir = dataDirForTest(b, bt.file)
		}
		data := benchData(b, bt, dir)
		t, err := newTask(data)
		if err != nil {
			b.Fatal(err)
		}
		dx, dy := t.dims()
		net := nn.NewDenoiser(nn.DenoiserConfig{YDim: dy, XDim: dx, Hidden: 256, Blocks: 3}, newRNG(1, streamInit))
		pred := &predictor{diff: model.NewDiffusion(net, model.DefaultSchedule())}
		rule, err := newDecisionRule(t, DecisionPerX, GradientsExact, -1)
		if err != nil {
			b.Fatal(err)
		}
		steps := 20
		if bt.name == TaskSynthetic {
			steps = 50
		}
		for _, r := range []int{1, 5} {
			cfg := evalConfig{m: 16, draws: r, sampler: model.Sampler{Steps: steps, Eta: bt.eta}, rule: rule}
			b.Run(fmt.Sprintf("%s/R=%d", bt.name, r), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					for _, s := range []datasets.Split{datasets.Hold, datasets.Test} {
						if _, err := evaluateSplit(context.Background(), t, pred, t.split(s), cfg, newRNG(i, streamEval)); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
