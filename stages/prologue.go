package stages

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// loadTaskModel is the prologue of every kind that runs a trained model on a
// dataset (DFL, evaluate, the gradient diagnostic): the task of the "data"
// input and the model of the "model" input, checked to belong together.
func loadTaskModel(in pipeline.Inputs) (*task, *predictor, error) {
	t, err := newTask(in.Tables["data"])
	if err != nil {
		return nil, nil, err
	}
	pred, err := loadModelFor(t, in.Tables["model"])
	if err != nil {
		return nil, nil, err
	}
	return t, pred, nil
}

// loadModelFor rebuilds the model of a model artifact and checks that it was
// trained for t's task and widths (the kinds with several model inputs call
// it once per model).
func loadModelFor(t *task, rec arrow.Record) (*predictor, error) {
	pred, err := loadPredictor(rec)
	if err != nil {
		return nil, err
	}
	if err := pred.checkTask(t); err != nil {
		return nil, err
	}
	return pred, nil
}
