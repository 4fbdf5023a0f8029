package pipecmd

import (
	"context"
	"fmt"

	"time"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// dryRun prints what `pipe run` would do without running anything: the
// stages that would run and why, and how many are cached. A stage below
// one that runs may still turn out cached at run time (early cutoff).
func dryRun(c *cli.Context, ws *workspace, names []string, force map[string]bool) error {
	sts, err := ws.engine.Status(c.Context, names)
	if err != nil {
		return err
	}
	w := c.App.Writer
	would := 0
	for _, s := range sts {
		switch {
		case force[s.Name]:
			fmt.Fprintf(w, "would run %s: forced\n", s.Name)
		case !s.Cached:
			fmt.Fprintf(w, "would run %s: %s\n", s.Name, s.Reason)
		default:
			continue
		}
		would++
	}
	fmt.Fprintf(w, "dry run: %d would run, %d cached; nothing was run\n", would, len(sts)-would)
	return nil
}

// expectedDurations is the memo the ETA goes by: for each stage of the
// closure, how long its latest recorded run under this profile took, else
// the mean of earlier runs of its kind (shell stages only by name).
func expectedDurations(ctx context.Context, ws *workspace, closure []string) map[string]time.Duration {
	type acc struct {
		sum time.Duration
		n   int
	}
	byKind := map[string]*acc{}
	latest := map[string]*artifacts.RunRecord{}
	profile := ws.file.Profile
	_ = ws.store.Records(ctx, func(r *artifacts.RunRecord) error {
		if r.Profile != profile || r.DurationSec <= 0 {
			return nil
		}
		if old, ok := latest[r.Stage]; !ok || r.End.After(old.End) {
			latest[r.Stage] = r
		}
		a := byKind[r.Kind]
		if a == nil {
			a = &acc{}
			byKind[r.Kind] = a
		}
		a.sum += time.Duration(r.DurationSec * float64(time.Second))
		a.n++
		return nil
	})
	out := map[string]time.Duration{}
	for _, n := range closure {
		if r, ok := latest[n]; ok {
			out[n] = time.Duration(r.DurationSec * float64(time.Second))
			continue
		}
		s := ws.file.Stages[n]
		if a := byKind[s.KindName()]; a != nil && !s.Shell() {
			out[n] = a.sum / time.Duration(a.n)
		}
	}
	return out
}
