package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// explain says why a prepared stage is not cached: its record lost an
// output object, or its key differs from the latest recorded run of the
// same stage name, and in what.
func (e *Engine) explain(ctx context.Context, p *prepared, rec *artifacts.RunRecord, missing string) string {
	if rec != nil && missing != "" {
		return fmt.Sprintf("output missing: %s (object %s)", missing, rec.Outputs[missing].Short())
	}
	prev := e.lastRecord(ctx, p.stage.Name)
	if prev == nil {
		return "never run"
	}
	var why []string
	switch {
	case prev.Kind != p.parts.Kind:
		why = append(why, fmt.Sprintf("kind changed: %s → %s", prev.Kind, p.parts.Kind))
	case prev.Fingerprint != p.parts.Fingerprint && p.stage.Shell():
		why = append(why, "command changed")
	case prev.Fingerprint != p.parts.Fingerprint:
		why = append(why, "code changed")
	}
	if d := paramDiff(prev.Params, p.parts.Params); d != "" {
		why = append(why, "params changed: "+d)
	}
	if d := digestDiff(prev.Inputs, p.parts.Inputs); d != "" {
		why = append(why, "input changed: "+d)
	}
	if d := digestDiff(prev.Files, p.parts.Files); d != "" {
		why = append(why, "data file changed: "+d)
	}
	if d := outputDiff(prev.Outputs, p.stage.Outputs); d != "" {
		why = append(why, "outputs changed: "+d)
	}
	if len(why) == 0 {
		return "never run with this key"
	}
	return strings.Join(why, "; ")
}

// paramDiff lists changed params as "lr 1e-05 → 2e-05", comparing the
// canonical JSON of each value.
func paramDiff(prevJSON json.RawMessage, cur Params) string {
	prev := map[string]json.RawMessage{}
	_ = json.Unmarshal(prevJSON, &prev)
	names := map[string]bool{}
	for k := range prev {
		names[k] = true
	}
	for k := range cur {
		names[k] = true
	}
	var out []string
	for _, k := range keysOf(names) {
		old, had := prev[k]
		now, has := cur[k]
		nowJSON, _ := Canonical(now)
		switch {
		case !had:
			out = append(out, fmt.Sprintf("%s (new) %s", k, nowJSON))
		case !has:
			out = append(out, fmt.Sprintf("%s %s → (removed)", k, old))
		case string(old) != string(nowJSON):
			out = append(out, fmt.Sprintf("%s %s → %s", k, old, nowJSON))
		}
	}
	return strings.Join(out, ", ")
}

func digestDiff(prev, cur map[string]artifacts.Digest) string {
	names := map[string]bool{}
	for k := range prev {
		names[k] = true
	}
	for k := range cur {
		names[k] = true
	}
	var out []string
	for _, k := range keysOf(names) {
		if prev[k] != cur[k] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

func outputDiff(prev map[string]artifacts.Digest, cur []string) string {
	old := keysOf(prev)
	now := append([]string(nil), cur...)
	sort.Strings(now)
	if strings.Join(old, ",") == strings.Join(now, ",") {
		return ""
	}
	return fmt.Sprintf("[%s] → [%s]", strings.Join(old, ", "), strings.Join(now, ", "))
}
