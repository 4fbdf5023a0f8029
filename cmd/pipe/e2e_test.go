package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type runOut struct {
	OK     bool `json:"ok"`
	Stages []struct {
		Name, Status, Reason, Error string
	} `json:"stages"`
	Exports []struct {
		To      string
		Written bool
	} `json:"exports"`
}

type statusOut struct {
	Stages []struct {
		Name, Status, Reason string
	} `json:"stages"`
}

// statusesOf returns "name:status" pairs, sorted.
func statusesOf(t *testing.T, jsonText string) (string, runOut) {
	t.Helper()
	var out runOut
	if err := json.Unmarshal([]byte(jsonText), &out); err != nil {
		t.Fatalf("run --json printed %q: %v", jsonText, err)
	}
	var parts []string
	for _, s := range out.Stages {
		parts = append(parts, s.Name+":"+s.Status)
	}
	sort.Strings(parts)
	return strings.Join(parts, " "), out
}

func TestE2ERunAndStatus(t *testing.T) {
	dir := copyExample(t)
	got, out := statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout)
	if got != "count-1:ran count-2:ran count-3:ran summary:ran text-1:ran text-2:ran text-3:ran" || !out.OK {
		t.Fatalf("first run: %s", got)
	}
	if len(out.Exports) != 1 || !out.Exports[0].Written {
		t.Fatalf("exports = %+v", out.Exports)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "results", "summary.csv")); err != nil || !strings.HasPrefix(string(b), "alpha,") {
		t.Fatalf("export: %q, %v", b, err)
	}
	got, _ = statusesOf(t, mustPipe(t, dir, "run", "--json", "all").stdout)
	if strings.Contains(got, ":ran") {
		t.Fatalf("second run reran: %s", got)
	}
	edit(t, dir, "pipelines.yaml", "lines: 200", "lines: 201")
	var st statusOut
	if err := json.Unmarshal([]byte(mustPipe(t, dir, "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, s := range st.Stages {
		reasons[s.Name] = s.Status + ": " + s.Reason
	}
	if reasons["text-2"] != "stale: params changed: lines 200 → 201" {
		t.Errorf("text-2: %q", reasons["text-2"])
	}
	if reasons["count-2"] != "stale: upstream stage text-2 will run" {
		t.Errorf("count-2: %q", reasons["count-2"])
	}
	plain := mustPipe(t, dir, "status").stdout
	if !strings.Contains(plain, "stale   text-1: params changed: lines 200 → 201") || !strings.Contains(plain, "7 stale, 0 cached") {
		t.Errorf("plain status:\n%s", plain)
	}
	edit(t, dir, "words.txt", "golf", "gulf")
	if r := mustPipe(t, dir, "status", "text-1"); !strings.Contains(r.stdout, "data file changed: words.txt") {
		t.Errorf("deps change not reported:\n%s", r.stdout)
	}
}

func TestE2EProfile(t *testing.T) {
	dir := copyExample(t)
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "--profile", "ci", "all").stdout)
	if got != "count-1:ran summary:ran text-1:ran" {
		t.Fatalf("ci profile run: %s", got)
	}
	r := pipeIn(t, dir, "--profile", "nope", "status")
	if r.code == 0 || !strings.Contains(r.stderr, `unknown profile "nope"`) {
		t.Fatalf("unknown profile: %+v", r)
	}
}

func TestE2EDagShowLineageLogs(t *testing.T) {
	dir := copyExample(t)
	mustPipe(t, dir, "run", "all")
	dag := mustPipe(t, dir, "dag", "--full").stdout
	if !strings.Contains(dag, "  count-1") || !strings.Contains(dag, "text ← text-1.text") ||
		!strings.Contains(dag, "counts ← count-1.counts, count-2.counts, count-3.counts") {
		t.Errorf("dag --full:\n%s", dag)
	}
	dot := mustPipe(t, dir, "dag", "--dot", "--full").stdout
	if !strings.HasPrefix(dot, "digraph pipe {") || !strings.Contains(dot, `"text-1" -> "count-1"`) {
		t.Errorf("dot:\n%s", dot)
	}
	// By default a template is one node with its matrix.
	dag = mustPipe(t, dir, "dag").stdout
	if !strings.Contains(dag, "  count-${seed}  shell       ×3 [seed: 1, 2, 3]  text ← text-${seed}.text") ||
		!strings.Contains(dag, "summary      shell       counts ← count-${seed}.counts") || strings.Count(dag, "\n") != 3 {
		t.Errorf("collapsed dag:\n%s", dag)
	}
	show := mustPipe(t, dir, "show", "summary.table").stdout
	if !strings.Contains(show, "not an Arrow table; 8 lines") || !strings.Contains(show, "alpha,") {
		t.Errorf("show:\n%s", show)
	}
	var sj struct{ Format, Digest string }
	if err := json.Unmarshal([]byte(mustPipe(t, dir, "show", "--json", "summary").stdout), &sj); err != nil || sj.Format != "bytes" || len(sj.Digest) != 64 {
		t.Errorf("show --json: %+v %v", sj, err)
	}
	lin := mustPipe(t, dir, "lineage", "summary.table").stdout
	for _, want := range []string{"summary.table  [shell", "└ counts/count-2.counts ← count-2.counts", "└ text ← text-2.text", `params {"lines":200,"seed":2}`, "file words.txt"} {
		if !strings.Contains(lin, want) {
			t.Errorf("lineage lacks %q:\n%s", want, lin)
		}
	}
	logs := mustPipe(t, dir, "logs", "text-1")
	if !strings.Contains(logs.stderr, "# log of text-1") {
		t.Errorf("logs header: %q", logs.stderr)
	}
	if r := pipeIn(t, dir, "show", "nope"); r.code == 0 || !strings.Contains(r.stderr, "not a stage") {
		t.Errorf("show of unknown stage: %+v", r)
	}
}

const failingYAML = `
stages:
  good: {run: 'echo good > "$PIPE_OUT_O"', outputs: [o]}
  bad:
    run: 'echo "bad is about to fail" >&2; exit 7'
    outputs: [o]
  below:
    run: 'cat "$PIPE_IN_I" > "$PIPE_OUT_O"'
    inputs: {i: bad.o}
    outputs: [o]
  lazy: {run: 'true', outputs: [o]}
`

func TestE2EFailure(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", failingYAML)
	r := pipeIn(t, dir, "run", "--jobs", "1", "bad", "below", "good")
	if r.code != 1 || !strings.Contains(r.stderr, "FAILED stage bad") || !strings.Contains(r.stderr, "| bad is about to fail") {
		t.Fatalf("failure report (exit %d):\n%s", r.code, r.stderr)
	}
	r = pipeIn(t, dir, "run", "--json", "--keep-going", "bad", "below", "good", "lazy")
	got, out := statusesOf(t, r.stdout)
	if r.code != 1 || out.OK || got != "bad:failed below:skipped good:ran lazy:failed" {
		t.Fatalf("keep-going (exit %d): %s", r.code, got)
	}
	for _, s := range out.Stages {
		if s.Name == "lazy" && !strings.Contains(s.Error, "declared output not written: o") {
			t.Errorf("lazy error: %q", s.Error)
		}
	}
	logs := mustPipe(t, dir, "logs", "bad")
	if !strings.Contains(logs.stdout, "bad is about to fail") || !strings.Contains(logs.stderr, "which failed") {
		t.Errorf("logs of a failed stage: %+v", logs)
	}
}

func TestE2EValidationError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pipelines.yaml", "stages:\n  a:\n    run: x\n    inputs: {i: b.o}\n")
	r := pipeIn(t, dir, "run")
	if r.code != 1 || !strings.Contains(r.stderr, `pipelines.yaml:4: stage "a": input "i" refers to missing stage "b"`) {
		t.Fatalf("validation error: %+v", r)
	}
	sub := filepath.Join(dir, "deep", "er")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := pipeIn(t, sub, "status"); !strings.Contains(r.stderr, "missing stage") {
		t.Errorf("pipelines.yaml not found from a subdirectory: %+v", r)
	}
}
