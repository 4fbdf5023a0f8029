package pipecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

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
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "keep-going", Aliases: []string{"k"}, Usage: "after a failure, finish the stages that do not depend on it"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object describing the run on stdout"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "only print which stages would run and why"},
			&cli.BoolFlag{Name: "force", Usage: "run every stage of the targets even if the store has its result"},
			&cli.StringSliceFlag{Name: "force-stage", Aliases: []string{"F"}, Usage: "run this stage (a name or glob; repeatable) even if the store has its result",
				TakesFile: false},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print a line for every skipped stage"},
			&cli.DurationFlag{Name: "progress-every", Value: 30 * time.Second, Usage: "off a terminal, print a progress line this often (0: never)"},
			&cli.PathFlag{Name: "cpuprofile", Usage: "write a Go CPU profile of the run's stages to `FILE` (read it with go tool pprof; stages that run in-process only)"},
		}, executorFlags()...), // cmd_executor.go
		Action: runAction,
	}
}

// runJSON is what `pipe run --json` prints.
type runJSON struct {
	OK         bool         `json:"ok"`
	Profile    string       `json:"profile"` // "" for the default profile
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
	names, err := expandTargets(ws.file, c.Args().Slice())
	if err != nil {
		return err
	}
	targets, err := ws.file.Targets(names)
	if err != nil {
		return err
	}
	closure := ws.file.Closure(targets)
	force, err := forcedStages(c, ws, closure)
	if err != nil {
		return err
	}
	if c.Bool("dry-run") {
		return dryRun(c, ws, names, force)
	}
	if path := c.Path("cpuprofile"); path != "" {
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if err := ensureData(c, ws, closure); err != nil {
		return err
	}
	if b := programOf(c).Backend; b != nil {
		if err := b.Use(c.App.ErrWriter, hasBuiltin(ws, closure)); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runAndReport(c, ctx, ws, names, closure, force)
}

// startCPUProfile starts Go's CPU profiler writing to path and returns the
// function that stops it and closes the file. The file is created before
// any stage runs, so a bad path fails first.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// runAndReport runs the targets with the progress display and prints the
// summary or the JSON report.
func runAndReport(c *cli.Context, ctx context.Context, ws *workspace, names, closure []string, force map[string]bool) error {
	asJSON := c.Bool("json")
	stderr := c.App.ErrWriter
	jobs := jobsOf(c)
	every := c.Duration("progress-every")
	if every <= 0 {
		every = -1
	}
	disp := progress.New(stderr, progress.Options{Live: !asJSON && isTerminal(stderr), Stages: closure, Jobs: jobs,
		Expected: expectedDurations(ctx, ws, closure), Verbose: c.Bool("verbose"), Every: every})
	disp.Start()
	rep, runErr := ws.engine.Run(ctx, names, pipeline.RunOptions{
		Jobs: jobs, KeepGoing: c.Bool("keep-going"), Observe: disp.Observe,
		Force: func(s string) bool { return force[s] }})
	disp.Stop()
	if rep == nil {
		return runErr
	}
	var recorded []string
	for _, s := range rep.Stages {
		if s.Status == pipeline.StatusCached {
			recorded = append(recorded, s.Backend)
		}
	}
	if w := backendWarning(programOf(c).backendName(), recorded); w != "" {
		fmt.Fprintln(stderr, w)
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

// jobsOf is --jobs, or the number of CPUs.
func jobsOf(c *cli.Context) int {
	if j := flagInt(c, "jobs"); j > 0 {
		return j
	}
	return runtime.NumCPU()
}

// forcedStages is the set of stages --force or -F make run.
func forcedStages(c *cli.Context, ws *workspace, closure []string) (map[string]bool, error) {
	if c.Bool("force") {
		set := map[string]bool{}
		for _, n := range closure {
			set[n] = true
		}
		return set, nil
	}
	set, err := matchStageGlobs(ws.file, c.StringSlice("force-stage"))
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, n := range closure {
		in[n] = true
	}
	for n := range set {
		if !in[n] {
			return nil, fmt.Errorf("-F %s: the stage is not among the targets or upstream of them", n)
		}
	}
	return set, nil
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
	line := fmt.Sprintf("%d ran, %d cached, %d failed, %d skipped", rep.Count(pipeline.StatusRan),
		rep.Count(pipeline.StatusCached), rep.Count(pipeline.StatusFailed), rep.Count(pipeline.StatusSkipped))
	if n := rep.Count(pipeline.StatusInterrupted); n > 0 {
		line += fmt.Sprintf(", %d interrupted", n)
	}
	fmt.Fprintf(w, "%s in %s\n", line, rep.Elapsed.Round(1e6))
	for _, s := range rep.Failed() {
		fmt.Fprintf(w, "failed: %s (pipe logs %s)\n", s.Name, s.Name)
	}
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

// ensureData gives Program.EnsureData the data files the built-in stages
// of closure declare, relative to the data directory (absolute paths are
// the user's own files, not the project's to provide).
func ensureData(c *cli.Context, ws *workspace, closure []string) error {
	p := programOf(c)
	if p.EnsureData == nil {
		return nil
	}
	var paths []string
	for _, n := range closure {
		s := ws.file.Stages[n]
		if s.Impl == nil || s.Impl.Files == nil {
			continue
		}
		deps, err := s.Impl.Files(s.Params)
		if err != nil {
			return fmt.Errorf("stage %s: data files: %w", n, err)
		}
		for _, d := range deps {
			if !filepath.IsAbs(d.Path) {
				paths = append(paths, d.Path)
			}
		}
	}
	return p.EnsureData(c.Context, ws.dataDir, paths, c.App.ErrWriter)
}

// hasBuiltin reports whether any stage of closure is a built-in kind.
func hasBuiltin(ws *workspace, closure []string) bool {
	for _, n := range closure {
		if s, ok := ws.file.Stages[n]; ok && s.Impl != nil {
			return true
		}
	}
	return false
}
