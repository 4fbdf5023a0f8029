package progress

import (
	"fmt"
	"github.com/diffusion-dfl/pipe/pipeline"
	"sort"
	"strings"
	"time"
)

// skipGroup folds the reasons of skipped stages into a few groups: every
// stage below any failed stage is one group.
func skipGroup(reason string) string {
	if strings.HasPrefix(reason, "upstream stage ") {
		return "below a failed stage"
	}
	return reason
}

// skipSummary is the one line that replaces a line per skipped stage.
func (d *Display) skipSummary() string {
	n := d.count[pipeline.EventSkipped]
	if n == 0 || d.opts.Verbose {
		return ""
	}
	groups := make([]string, 0, len(d.skipped))
	for g := range d.skipped {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%d %s", d.skipped[g], g)
	}
	return fmt.Sprintf("skipped %d stages: %s (--verbose lists them)", n, strings.Join(parts, "; "))
}

// eta estimates the time left at now, "" without any estimate.
func (d *Display) eta(now time.Time) string {
	if len(d.opts.Expected) == 0 {
		return ""
	}
	var work time.Duration
	known, unknown := 0, 0
	runningNow := map[string]bool{}
	for _, r := range d.runs {
		runningNow[r.name] = true
		if e, ok := d.opts.Expected[r.name]; ok {
			work += max(e-now.Sub(r.start), 0)
			known++
		} else {
			unknown++
		}
	}
	for _, s := range d.opts.Stages {
		if d.finished[s] || runningNow[s] {
			continue
		}
		if e, ok := d.opts.Expected[s]; ok {
			work += e
			known++
		} else {
			unknown++
		}
	}
	if known == 0 {
		return ""
	}
	jobs := max(1, min(d.opts.Jobs, known+unknown))
	left := (work / time.Duration(jobs)).Round(time.Second)
	if unknown > 0 {
		return "≥" + left.String()
	}
	return "~" + left.String()
}
