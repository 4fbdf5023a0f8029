package stages

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// Curve columns. Every curve has an int64 "epoch" column and float64 columns;
// "seconds" is wall-clock time and the only column that differs between two
// runs with the same seed.
const (
	ColEpoch         = "epoch"
	ColTrainLoss     = "train_loss"      // pretraining: the epoch's training loss
	ColHoldLoss      = "hold_loss"       // pretraining: hold loss (NaN when not evaluated)
	ColTrainTaskLoss = "train_task_loss" // DFL: mean task loss of the epoch's minibatches
	ColHoldTaskLoss  = "hold_task_loss"  // DFL: task loss on the hold split
	ColRegLoss       = "denoise_loss"    // DFL: the regularizer (denoising loss, or MSE for baselines)
	ColSeconds       = "seconds"
)

// curve is a learning curve: one row per epoch.
type curve struct {
	cols   []string
	epochs []int64
	vals   [][]float64
}

func newCurve(cols ...string) *curve {
	return &curve{cols: cols, vals: make([][]float64, len(cols))}
}

// add appends the row of one epoch, one value per column.
func (c *curve) add(epoch int, vals ...float64) {
	if len(vals) != len(c.cols) {
		panic(fmt.Sprintf("stages: curve row with %d values for %d columns", len(vals), len(c.cols)))
	}
	c.epochs = append(c.epochs, int64(epoch))
	for i, v := range vals {
		c.vals[i] = append(c.vals[i], v)
	}
}

// record builds the curve artifact with the run's metadata.
func (c *curve) record(meta map[string]string) (arrow.Record, error) {
	md := map[string]string{arrowtab.MetaKind: KindCurve}
	for k, v := range meta {
		if k != MetaTrainedBy {
			md[k] = v
		}
	}
	b := arrowtab.NewBuilder().Int64(ColEpoch, c.epochs)
	for i, name := range c.cols {
		b.Float64(name, c.vals[i])
	}
	return b.Record(md)
}
