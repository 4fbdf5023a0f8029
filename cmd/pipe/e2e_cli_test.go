package main

import (
	"strings"
	"testing"
)

// tablesYAML mimics the names of the paper's pipeline for the command lines
// the README shows: a pipeline paper-tables whose stage tables writes table1.
const tablesYAML = `
vars:
  n: 5
stages:
  tables:
    run: 'seq 1 ${n} | sed "s/^/row /" > "$PIPE_OUT_TABLE1"'
    params: {n: "${n}"}
    outputs: [table1]
pipelines:
  paper-tables: [tables]
profiles:
  ci:
    vars: {n: 2}
`

func TestE2EFlagsAfterTargets(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", tablesYAML)
	mustPipe(t, dir, "run", "paper-tables", "--jobs", "2")
	ci := mustPipe(t, dir, "run", "paper-tables", "--profile", "ci", "--json")
	if !strings.Contains(ci.stdout, `"profile": "ci"`) || !strings.Contains(ci.stdout, `"status": "ran"`) {
		t.Errorf("run paper-tables --profile ci --json:\n%s", ci.stdout)
	}
	// show follows the profile: the default table after a ci run too.
	show := mustPipe(t, dir, "show", "tables.table1", "--rows", "3").stdout
	if !strings.Contains(show, "profile default") || !strings.Contains(show, "5 lines") || !strings.Contains(show, "row 3\n") || strings.Contains(show, "row 4") {
		t.Errorf("show tables.table1 --rows 3 (default profile's 5 rows, 3 shown):\n%s", show)
	}
	show = mustPipe(t, dir, "show", "tables.table1", "-n", "3", "-p", "ci").stdout
	if !strings.Contains(show, "profile ci") || !strings.Contains(show, "2 lines") {
		t.Errorf("show tables.table1 -n 3 -p ci (ci profile's 2 rows):\n%s", show)
	}
	// After "--" a dash-led word is a target, not a flag.
	if r := pipeIn(t, dir, "status", "--", "--jobs"); r.code == 0 || !strings.Contains(r.stderr, `"--jobs"`) {
		t.Errorf("status -- --jobs: %+v", r)
	}
	if r := pipeIn(t, dir, "run", "paper-tables", "-j", "-1"); r.code == 0 || !strings.Contains(r.stderr, "--jobs") {
		t.Errorf("-j -1 accepted: %+v", r)
	}
}

func TestE2EHelpAndUnknownCommand(t *testing.T) {
	dir := t.TempDir()
	if r := mustPipe(t, dir, "help"); !strings.Contains(r.stdout, "COMMANDS:") {
		t.Errorf("pipe help:\n%s", r.stdout)
	}
	if r := mustPipe(t, dir, "help", "run"); !strings.Contains(r.stdout, "pipe run") || !strings.Contains(r.stdout, "--keep-going") {
		t.Errorf("pipe help run:\n%s", r.stdout)
	}
	r := pipeIn(t, dir, "rnu", "all")
	if r.code != 1 || !strings.Contains(r.stderr, `unknown command "rnu" (did you mean "run"?)`) || !strings.Contains(r.stderr, "USAGE:") {
		t.Errorf("unknown command: %+v", r)
	}
}
