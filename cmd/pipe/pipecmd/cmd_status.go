package pipecmd

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/pipeline"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show which stages are cached and why the others would run",
		ArgsUsage: "[PIPELINE|STAGE]...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object on stdout"},
			&cli.BoolFlag{Name: "exit-code", Usage: "exit 1 when any stage is stale (for scripts and CI)"},
		},
		Action: statusAction,
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
	names, err := expandTargets(ws.file, c.Args().Slice())
	if err != nil {
		return err
	}
	sts, err := ws.engine.Status(c.Context, names)
	if err != nil {
		return err
	}
	warnBackend(c, sts)
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
		if err := enc.Encode(out); err != nil {
			return err
		}
		return staleExit(c, stale)
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
	return staleExit(c, stale)
}

// warnBackend prints, on standard error, backendWarning for the cached
// results a run would use now.
func warnBackend(c *cli.Context, sts []pipeline.StageStatus) {
	var recorded []string
	for _, s := range sts {
		if s.Cached && s.Backend != "" {
			recorded = append(recorded, s.Backend)
		}
	}
	if len(recorded) == 0 {
		return
	}
	if now, ok := programOf(c).runBackend(); ok {
		if w := backendWarning(now, recorded); w != "" {
			fmt.Fprintln(c.App.ErrWriter, w)
		}
	}
}

// staleExit is the exit of `status --exit-code`: 1 when something is stale.
func staleExit(c *cli.Context, stale int) error {
	if c.Bool("exit-code") && stale > 0 {
		return exitCode{code: 1}
	}
	return nil
}
