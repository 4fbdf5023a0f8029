package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
)

// fakeFingerprints gives each kind the fingerprint in the map, so tests can
// simulate a code change.
type fakeFingerprints map[string]string

func (f fakeFingerprints) Fingerprint(k *pipeline.Kind) (string, error) { return f[k.Name], nil }

// rerunFixture is a chain src → mid → leaf of shell stages, plus a built-in
// stage reading src. mid keeps only the first character of src's output,
// so a change in src past the first character is cut off at mid.
type rerunFixture struct {
	t     *testing.T
	store *artifacts.MemStore
	fps   fakeFingerprints
	reg   *pipeline.Registry
	dir   string
}

const rerunYAML = `
stages:
  src:
    run: printf '%%s' "$PIPE_PARAM_V" > "$PIPE_OUT_O"
    params: {v: "%s"}
    outputs: [o]
  mid:
    run: cut -c1 "$PIPE_IN_I" > "$PIPE_OUT_O"
    inputs: {i: src.o}
    outputs: [o]
  leaf:
    run: '%s'
    params: {tag: "%s"}
    inputs: {i: mid.o}
    outputs: [o]
  conv:
    kind: double
    inputs: {in: tab.t}
  tab:
    run: printf 'x\n1\n' > "$PIPE_OUT_T"
    outputs: [t]
`

const leafCmd = `{ cat "$PIPE_IN_I"; echo "$PIPE_PARAM_TAG"; } > "$PIPE_OUT_O"`

func newRerunFixture(t *testing.T) *rerunFixture {
	reg := pipeline.NewRegistry()
	if err := reg.Register(pipeline.Kind{Name: "double", Run: runNothing,
		Inputs: []pipeline.PortSpec{{Name: "in"}}, Outputs: []pipeline.PortSpec{{Name: "out"}}}); err != nil {
		t.Fatal(err)
	}
	return &rerunFixture{t: t, store: artifacts.NewMemStore(), fps: fakeFingerprints{"double": "v1"}, reg: reg, dir: t.TempDir()}
}

func (fx *rerunFixture) engine(v, cmd, tag string) *pipeline.Engine {
	fx.t.Helper()
	src := fmt.Sprintf(rerunYAML, v, cmd, tag)
	f, err := pipeline.Parse(fx.dir+"/pipelines.yaml", []byte(src), pipeline.LoadOptions{Registry: fx.reg})
	if err != nil {
		fx.t.Fatal(err)
	}
	f.Dir = fx.dir
	return pipeline.NewEngine(pipeline.Config{File: f, Store: fx.store, Fingerprints: fx.fps,
		Executor: fakeKindExecutor{local.New(fx.store, local.Options{TempDir: fx.t.TempDir()}), fx.store}})
}

// run runs every stage and returns "name:status" for each, in order.
func (fx *rerunFixture) run(v, cmd, tag string) string {
	fx.t.Helper()
	rep, err := fx.engine(v, cmd, tag).Run(context.Background(), nil, pipeline.RunOptions{Jobs: 2})
	if err != nil {
		fx.t.Fatalf("run: %v", err)
	}
	return statuses(rep)
}

// fakeKindExecutor runs shell stages with the local executor and gives the
// built-in "double" kind a fixed output, so no Arrow work is needed here.
type fakeKindExecutor struct {
	shell pipeline.Executor
	store artifacts.Store
}

func (x fakeKindExecutor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	if t.Kind == nil {
		return x.shell.Execute(ctx, t)
	}
	return (&fakeExecutor{store: x.store}).Execute(ctx, t)
}

// TestWhatReruns checks, change by change, exactly which stages run.
func TestWhatReruns(t *testing.T) {
	fx := newRerunFixture(t)
	steps := []struct {
		name        string
		v, cmd, tag string
		before      func()
		want        string
	}{
		{"first run", "1a", leafCmd, "t", nil, "conv:ran leaf:ran mid:ran src:ran tab:ran"},
		{"nothing changed", "1a", leafCmd, "t", nil, "conv:cached leaf:cached mid:cached src:cached tab:cached"},
		{"param change, identical bytes below: early cutoff", "1b", leafCmd, "t", nil, "conv:cached leaf:cached mid:ran src:ran tab:cached"},
		{"param reverted: memo", "1a", leafCmd, "t", nil, "conv:cached leaf:cached mid:cached src:cached tab:cached"},
		{"input bytes change", "2a", leafCmd, "t", nil, "conv:cached leaf:ran mid:ran src:ran tab:cached"},
		{"leaf param", "2a", leafCmd, "u", nil, "conv:cached leaf:ran mid:cached src:cached tab:cached"},
		{"command change", "2a", leafCmd + " # v2", "u", nil, "conv:cached leaf:ran mid:cached src:cached tab:cached"},
		{"code fingerprint change", "2a", leafCmd + " # v2", "u", func() { fx.fps["double"] = "v2" }, "conv:ran leaf:cached mid:cached src:cached tab:cached"},
		{"output object deleted", "2a", leafCmd + " # v2", "u", func() { fx.deleteOutput("leaf") }, "conv:cached leaf:ran mid:cached src:cached tab:cached"},
		{"corrupt input: producer reruns", "2a", leafCmd + " # v2", "w", func() { fx.corruptOutput("mid") }, "conv:cached leaf:ran mid:ran src:cached tab:cached"},
		{"after recovery", "2a", leafCmd + " # v2", "w", nil, "conv:cached leaf:cached mid:cached src:cached tab:cached"},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if got := fx.run(st.v, st.cmd, st.tag); got != st.want {
			t.Fatalf("%s:\n got %s\nwant %s", st.name, got, st.want)
		}
	}
}

func (fx *rerunFixture) output(stage string) artifacts.Digest {
	fx.t.Helper()
	key, err := fx.store.GetRef(context.Background(), "stages/"+stage)
	if err != nil {
		fx.t.Fatal(err)
	}
	rec, err := fx.store.GetRecord(context.Background(), artifacts.Key(key))
	if err != nil {
		fx.t.Fatal(err)
	}
	return rec.Outputs["o"]
}

func (fx *rerunFixture) deleteOutput(stage string) {
	if err := fx.store.Delete(context.Background(), fx.output(stage)); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *rerunFixture) corruptOutput(stage string) { fx.store.CorruptForTest(fx.output(stage)) }

// TestStatusReasons checks what `pipe status` says after each change.
func TestStatusReasons(t *testing.T) {
	fx := newRerunFixture(t)
	fx.run("1a", leafCmd, "t")
	cases := []struct {
		name        string
		v, cmd, tag string
		before      func()
		want        map[string]string // stage -> reason substring; "" = cached
	}{
		{"cached", "1a", leafCmd, "t", nil, map[string]string{"src": "", "mid": "", "leaf": "", "conv": ""}},
		{"param", "1b", leafCmd, "t", nil, map[string]string{"src": `params changed: v "1a" → "1b"`, "mid": "upstream stage src will run"}},
		{"leaf param and command", "1a", leafCmd + " #", "u", nil, map[string]string{"leaf": `command changed; params changed: tag "t" → "u"`}},
		{"code", "1a", leafCmd, "t", func() { fx.fps["double"] = "v9" }, map[string]string{"conv": "code changed", "tab": ""}},
		{"output missing", "1a", leafCmd, "t", func() { fx.fps["double"] = "v1"; fx.deleteOutput("mid") }, map[string]string{"mid": "output missing: o", "leaf": "upstream stage mid will run"}},
	}
	for _, c := range cases {
		if c.before != nil {
			c.before()
		}
		sts, err := fx.engine(c.v, c.cmd, c.tag).Status(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]pipeline.StageStatus{}
		for _, s := range sts {
			got[s.Name] = s
		}
		for stage, want := range c.want {
			s := got[stage]
			if want == "" && !s.Cached {
				t.Errorf("%s: %s not cached: %s", c.name, stage, s.Reason)
			}
			if want != "" && (s.Cached || !strings.Contains(s.Reason, want)) {
				t.Errorf("%s: %s reason %q, want %q", c.name, stage, s.Reason, want)
			}
		}
	}
}

func TestStatusNeverRun(t *testing.T) {
	fx := newRerunFixture(t)
	sts, err := fx.engine("1", leafCmd, "t").Status(context.Background(), []string{"mid"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 || sts[0].Name != "src" || sts[0].Reason != "never run" || sts[1].Reason != "upstream stage src will run" {
		t.Fatalf("status = %+v", sts)
	}
}
