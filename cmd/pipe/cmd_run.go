package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/progress"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run pipelines or stages and everything upstream of them, skipping what is cached",
		ArgsUsage: "[PIPELINE|STAGE]...",
		Description: "With no arguments every stage runs. Independent stages run in parallel (--jobs).\n" +
			"Ctrl-C stops the run without recording anything partial; the next run resumes.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "keep-going", Aliases: []string{"k"}, Usage: "after a failure, finish the stages that do not depend on it"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object describing the run on stdout"},
		},
		Action: runAction,
	}
}

// runJSON is what `pipe run --json` prints.
type runJSON struct {
	OK         bool         `json:"ok"`
	Profile    string       `json:"profile,omitempty"`
	ElapsedSec float64      `json:"elapsed_sec"`
	Stages     []stageJSON  `json:"stages"`
	Exports    []exportJSON `json:"exports"`
	Error      string       `json:"error,omitempty"`
}

type stageJSON struct {
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Key         string  `json:"key,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	DurationSec float64 `json:"duration_sec,omitempty"`
	Error       string  `json:"error,omitempty"`
}

type exportJSON struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Format  string `json:"format"`
	Written bool   `json:"written"`
}

func runAction(c *cli.Context) error {
	ws, err := openWorkspace(c)
	if err != nil {
		return err
	}
	targets, err := ws.file.Targets(c.Args().Slice())
	if err != nil {
		return err
	}
	// Built-in stages multiply matrices through gonum's BLAS: OpenBLAS when
	// it loads (PIPE_BLAS=auto|openblas|go), with a fixed thread count so
	// results do not depend on the machine's core count.
	if _, err := openblas.UseFromEnv(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	asJSON := c.Bool("json")
	stderr := c.App.ErrWriter
	live := !asJSON && isTerminal(stderr)
	disp := progress.New(stderr, live, len(ws.file.Closure(targets)))
	disp.Start()
	rep, runErr := ws.engine.Run(ctx, c.Args().Slice(), pipeline.RunOptions{
		Jobs: flagInt(c, "jobs"), KeepGoing: c.Bool("keep-going"), Observe: disp.Observe})
	disp.Stop()
	if rep == nil {
		return runErr
	}
	if asJSON {
		if err := printRunJSON(c, ws, rep, runErr); err != nil {
			return err
		}
	} else {
		printRunSummary(c, rep)
	}
	return runExit(ctx, runErr, asJSON)
}

func runExit(ctx context.Context, err error, quiet bool) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitCode{code: 130, msg: "interrupted; nothing partial was recorded, `pipe run` again resumes"}
	case quiet:
		return exitCode{code: 1}
	}
	return exitCode{code: 1, msg: err.Error()}
}

func printRunSummary(c *cli.Context, rep *pipeline.Report) {
	w := c.App.ErrWriter
	fmt.Fprintf(w, "%d ran, %d cached, %d failed, %d skipped in %s\n", rep.Count(pipeline.StatusRan),
		rep.Count(pipeline.StatusCached), rep.Count(pipeline.StatusFailed), rep.Count(pipeline.StatusSkipped), rep.Elapsed.Round(1e6))
	for _, ex := range rep.Exports {
		if ex.Written {
			fmt.Fprintf(w, "wrote %s (%s of %s)\n", ex.To, ex.Format, ex.From)
		}
	}
}

func printRunJSON(c *cli.Context, ws *workspace, rep *pipeline.Report, runErr error) error {
	out := runJSON{OK: runErr == nil, Profile: ws.file.Profile, ElapsedSec: rep.Elapsed.Seconds(),
		Stages: []stageJSON{}, Exports: []exportJSON{}}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	for _, s := range rep.Stages {
		sj := stageJSON{Name: s.Name, Status: s.Status, Key: string(s.Key), Reason: s.Reason, DurationSec: s.Duration.Seconds()}
		if s.Err != nil {
			sj.Error = s.Err.Error()
		}
		out.Stages = append(out.Stages, sj)
	}
	for _, ex := range rep.Exports {
		out.Exports = append(out.Exports, exportJSON{From: ex.From.String(), To: ex.To, Format: ex.Format, Written: ex.Written})
	}
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// isTerminal reports whether w is a terminal (for the live display).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show which stages are cached and why the others would run",
		ArgsUsage: "[PIPELINE|STAGE]...",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print one JSON object on stdout"}},
		Action:    statusAction,
	}
}

type statusJSON struct {
	Stages []statusStageJSON `json:"stages"`
}

type statusStageJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"` // cached or stale
	Reason string `json:"reason"`
	Key    string `json:"key,omitempty"`
}

func statusAction(c *cli.Context) error {
	ws, err := openWorkspace(c)
	if err != nil {
		return err
	}
	sts, err := ws.engine.Status(c.Context, c.Args().Slice())
	if err != nil {
		return err
	}
	out := statusJSON{Stages: []statusStageJSON{}}
	stale := 0
	for _, s := range sts {
		st := statusStageJSON{Name: s.Name, Status: "cached", Reason: s.Reason, Key: string(s.Key)}
		if !s.Cached {
			st.Status = "stale"
			stale++
		}
		out.Stages = append(out.Stages, st)
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := c.App.Writer
	for _, s := range out.Stages {
		if s.Status == "cached" {
			fmt.Fprintf(w, "cached  %s\n", s.Name)
		} else {
			fmt.Fprintf(w, "stale   %s: %s\n", s.Name, s.Reason)
		}
	}
	fmt.Fprintf(w, "%d stale, %d cached\n", stale, len(sts)-stale)
	return nil
}
