package main

import (
	"context"

	"fmt"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// stageResult is the run of a stage that show, lineage and logs describe: the
// one the current file and profile use.
type stageResult struct {
	rec *artifacts.Record
	// note says why rec is not the result in use (the stage is stale and
	// rec is its latest run under this profile); "" when it is.
	note string
}

// profileLabel names a profile for people: "default" for "".
func profileLabel(p string) string {
	if p == "" {
		return "default"
	}
	return p
}

// resultOf finds the run of stage that the current file and profile use:
// the record of the key `pipe status` finds cached; if the stage is stale,
// its latest run under the same profile, with a note. A stage that ran only
// under other profiles is an error that names them, so that a ci table is
// never shown as the default one.
func (ws *workspace) resultOf(ctx context.Context, stage string) (*stageResult, error) {
	sts, err := ws.engine.Status(ctx, []string{stage})
	if err == nil {
		for _, st := range sts {
			if st.Name == stage && st.Cached && st.Key != "" {
				rec, err := ws.store.GetRecord(ctx, st.Key)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", stage, err)
				}
				return &stageResult{rec: rec}, nil
			}
		}
	}
	var latest *artifacts.Record
	others := map[string]bool{}
	err = ws.store.Records(ctx, func(r *artifacts.Record) error {
		switch {
		case r.Stage != stage:
		case r.Profile != ws.file.Profile:
			others[profileLabel(r.Profile)] = true
		case latest == nil || r.End.After(latest.End):
			latest = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", stage, err)
	}
	if latest == nil {
		msg := fmt.Sprintf("%s under the %s profile (run `pipe run %s", stage, profileLabel(ws.file.Profile), stage)
		if ws.file.Profile != "" {
			msg += " --profile " + ws.file.Profile
		}
		msg += "` first"
		if len(others) > 0 {
			msg += fmt.Sprintf("; it ran under the profiles %v: add --profile", sortedKeys(others))
		}
		return nil, fmt.Errorf("%w: %s)", pipeline.ErrNotRun, msg)
	}
	return &stageResult{rec: latest, note: "stale under the current file: this is its latest run under the same profile; `pipe status " + stage + "` says what changed"}, nil
}
