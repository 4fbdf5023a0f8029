package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EResultStaysInProject shares a store between two projects with a
// stage of the same name and profile: the project that never ran it must
// not be shown the other's result (resultOf's fallback for a stale stage
// looks only at this project's references).
func TestE2EResultStaysInProject(t *testing.T) {
	store := filepath.Join(t.TempDir(), "shared")
	one, two := t.TempDir(), t.TempDir()
	writeFile(t, one, "pipelines.yaml", "stages:\n  tbl: {run: 'echo from-one > \"$PIPE_OUT_O\"', outputs: [o]}\n")
	writeFile(t, two, "pipelines.yaml", "stages:\n  tbl: {run: 'echo from-two > \"$PIPE_OUT_O\"', outputs: [o]}\n")
	env := append(cleanEnv(), "PIPE_STORE="+store)
	mustPipeEnv(t, one, env, "run")
	cmd := pipeWithEnv(t, two, []string{"PIPE_STORE=" + store}, "show", "tbl")
	if cmd.code == 0 || strings.Contains(cmd.stdout, "from-one") || !strings.Contains(cmd.stderr, "has not run") {
		t.Errorf("show in the project that never ran tbl: exit %d\nstdout: %s\nstderr: %s", cmd.code, cmd.stdout, cmd.stderr)
	}
	if out := mustPipeEnv(t, one, env, "show", "tbl").stdout; !strings.Contains(out, "from-one") {
		t.Errorf("show in the project that ran tbl: %s", out)
	}
}

// TestE2EMetricsDiffSaysStale diffs a side whose stage changed since it
// ran: the numbers come from its latest run, and stderr says so.
func TestE2EMetricsDiffSaysStale(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", diffPipelines)
	mustPipe(t, dir, "run", "all")
	mustPipe(t, dir, "run", "--profile", "ci", "all")
	edit(t, dir, "pipelines.yaml", "label: same", "label: changed")
	r := mustPipe(t, dir, "metrics", "diff", "--json", "--output", "metrics.table", "--keys", "method", "--values", "loss", "default", "ci")
	if rows := diffRows(t, r.stdout); len(rows) != 1 || *rows[0].A != 2 || *rows[0].B != 5 {
		t.Errorf("diff of two stale sides: %s", r.stdout)
	}
	for _, side := range []string{"side default: metrics: stale", "side ci: metrics: stale"} {
		if !strings.Contains(r.stderr, side) {
			t.Errorf("stderr lacks %q:\n%s", side, r.stderr)
		}
	}
}
