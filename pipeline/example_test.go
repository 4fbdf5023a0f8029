package pipeline_test

import (
	"context"
	"fmt"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
)

// A template expands over its matrix; a fan-in input collects the outputs
// of every matching stage.
func ExampleParse() {
	src := `
vars:
  seeds: [1, 2]
stages:
  roll-${seed}:
    matrix:
      seed: ${seeds}
    run: echo "$PIPE_PARAM_SEED" > "$PIPE_OUT_N"
    params:
      seed: ${seed}
    outputs: [n]
  total:
    run: cat "$PIPE_IN_ROLLS"/* > "$PIPE_OUT_SUM"
    inputs:
      rolls: "roll-*.n"
    outputs: [sum]
`
	f, err := pipeline.Parse("pipelines.yaml", []byte(src), pipeline.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Names())
	fmt.Println(f.Stages["roll-2"].Params)
	fmt.Println(f.Stages["total"].InputNames())
	// Output:
	// [roll-1 roll-2 total]
	// map[seed:2]
	// [rolls/roll-1.n rolls/roll-2.n]
}

// Running twice: the second run finds every result in the store.
func ExampleEngine_Run() {
	f, err := pipeline.Parse("pipelines.yaml", []byte(`
stages:
  hello: {run: 'echo hello > "$PIPE_OUT_TEXT"', outputs: [text]}
  shout:
    run: tr a-z A-Z < "$PIPE_IN_TEXT" > "$PIPE_OUT_TEXT"
    inputs: {text: hello.text}
    outputs: [text]
`), pipeline.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	store := artifacts.NewMemStore()
	eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Executor: local.New(store, local.Options{})})
	for i := 0; i < 2; i++ {
		rep, err := eng.Run(context.Background(), []string{"shout"}, pipeline.RunOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rep.Count(pipeline.StatusRan), "ran,", rep.Count(pipeline.StatusCached), "cached")
	}
	rep, _ := eng.Run(context.Background(), []string{"shout"}, pipeline.RunOptions{})
	b, _ := store.Get(context.Background(), rep.Stages[1].Outputs["text"])
	fmt.Print(string(b))
	// Output:
	// 2 ran, 0 cached
	// 0 ran, 2 cached
	// HELLO
}
