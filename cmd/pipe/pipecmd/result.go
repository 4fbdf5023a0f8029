package pipecmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// stageResult is the run of a stage that show, lineage and logs describe: the
// one the current file and profile use.
type stageResult struct {
	rec *artifacts.RunRecord
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
// its latest run under the same profile among this project's references
// (another project sharing the store may have a stage of the same name),
// with a note. A stage that ran only under other profiles is an error that
// names them, so that a ci table is never shown as the default one.
func (ws *workspace) resultOf(ctx context.Context, stage string) (*stageResult, error) {
	sts, err := ws.engine.Status(ctx, []string{stage})
	if err != nil {
		return nil, fmt.Errorf("%s: status: %w", stage, err)
	}
	for _, st := range sts {
		if st.Name == stage && st.Cached && st.Key != "" {
			rec, err := ws.store.GetRecord(ctx, st.Key)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", stage, err)
			}
			return &stageResult{rec: rec}, nil
		}
	}
	latest, others, err := ws.latestRun(ctx, stage)
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
			msg += fmt.Sprintf("; it ran under the profiles %v: add --profile", slices.Sorted(maps.Keys(others)))
		}
		return nil, fmt.Errorf("%w: %s)", pipeline.ErrNotRun, msg)
	}
	return &stageResult{rec: latest, note: "stale under the current file: this is its latest run under the same profile; `pipe status " + stage + "` says what changed"}, nil
}

// latestRun returns the latest record of stage under the current profile
// among the keys this project's references hold (its stages/<stage>
// reference and every pipelines/ reference of the store view), and the
// other profiles it ran under.
func (ws *workspace) latestRun(ctx context.Context, stage string) (*artifacts.RunRecord, map[string]bool, error) {
	keys := map[artifacts.Key]bool{}
	if b, err := ws.store.GetRef(ctx, "stages/"+stage); err == nil {
		keys[artifacts.Key(b)] = true
	} else if !errors.Is(err, artifacts.ErrNotFound) {
		return nil, nil, err
	}
	err := ws.store.Refs(ctx, "pipelines/", func(_ string, value []byte) error {
		var ks []artifacts.Key
		if json.Unmarshal(value, &ks) == nil { // `pipe verify` reports bad ones
			for _, k := range ks {
				keys[k] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var latest *artifacts.RunRecord
	others := map[string]bool{}
	for k := range keys {
		r, err := ws.store.GetRecord(ctx, k)
		if errors.Is(err, artifacts.ErrNotFound) || errors.Is(err, artifacts.ErrCorrupt) {
			continue // gone, or for `pipe verify` to report
		} else if err != nil {
			return nil, nil, err
		}
		switch {
		case r.Stage != stage:
		case r.Profile != ws.file.Profile:
			others[profileLabel(r.Profile)] = true
		case latest == nil || r.End.After(latest.End):
			latest = r
		}
	}
	return latest, others, nil
}
