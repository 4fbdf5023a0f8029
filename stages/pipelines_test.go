package stages

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	pipe "github.com/diffusion-dfl/pipe"
	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
	"github.com/diffusion-dfl/pipe/pipeline/local"
)

// pipelinesFile is the project's real pipelines.yaml.
const pipelinesFile = "../pipelines.yaml"

// seededName matches the stages of the seed matrix: names ending in -s<seed>.
var seededName = regexp.MustCompile(`-s[0-9]+$`)

// assetsName matches figure 5's sweep stages (-n<assets>-s<seed>), which
// run on their own seeds (assets_seeds) and are left out of the seed count.
var assetsName = regexp.MustCompile(`-n[0-9]+-s[0-9]+$`)

func registryForTest(t testing.TB) *pipeline.Registry {
	t.Helper()
	reg := pipeline.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestPipelinesFileValidates loads the real pipelines.yaml under every
// profile with the built-in kinds, and computes the fingerprint of every
// kind it uses from the embedded sources, as `pipe run` does.
func TestPipelinesFileValidates(t *testing.T) {
	reg := registryForTest(t)
	fp, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	counts, unseeded := map[string]int{}, map[string]int{}
	for _, prof := range []string{"", "ci", "paper"} {
		f, err := pipeline.Load(pipelinesFile, pipeline.LoadOptions{Registry: reg, Profile: prof})
		if err != nil {
			t.Fatalf("profile %q: %v", prof, err)
		}
		for _, s := range f.Stages {
			if assetsName.MatchString(s.Name) || strings.HasPrefix(s.Name, "sweep-") {
				continue // figure 5's and the tune's sweeps have seeds of their own
			}
			counts[prof]++
			if !seededName.MatchString(s.Name) {
				unseeded[prof]++
			}
		}
		kinds := map[string]bool{}
		for _, s := range f.Stages {
			kinds[s.Kind] = true
		}
		for name := range kinds {
			k, ok := reg.Lookup(name)
			if !ok {
				t.Fatalf("profile %q uses unregistered kind %q", prof, name)
			}
			if _, err := fp.Fingerprint(k); err != nil {
				t.Errorf("fingerprint of %s: %v", name, err)
			}
		}
		for _, p := range []string{"paper-tables", "synthetic", "power", "portfolio"} {
			if _, ok := f.Pipelines[p]; !ok {
				t.Errorf("profile %q: no pipeline %q", prof, p)
			}
		}
	}
	// Seeds: 3 by default, 1 in ci, 10 in the paper profile. Outside the
	// seed matrix (no -s<seed> suffix): aggregate, tables, diagnostics,
	// tune-select.
	perSeed, fixed := counts["ci"]-unseeded["ci"], unseeded["ci"]
	if !(perSeed*3 == counts[""]-unseeded[""] && perSeed*10 == counts["paper"]-unseeded["paper"]) ||
		unseeded[""] != fixed || unseeded["paper"] != fixed {
		t.Errorf("stage counts %v (outside the seed matrix %v) do not scale with the seeds 1/3/10", counts, unseeded)
	}
}

// TestPipelinesEveryKindUsed checks that the real pipelines.yaml uses
// every built-in kind of this package, so none is left untested by the
// profile runs.
func TestPipelinesEveryKindUsed(t *testing.T) {
	reg := registryForTest(t)
	f, err := pipeline.Load(pipelinesFile, pipeline.LoadOptions{Registry: reg, Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, s := range f.Stages {
		used[s.Kind] = true
	}
	for _, k := range reg.Kinds() {
		if !used[k.Name] {
			t.Errorf("kind %s is not used by pipelines.yaml", k.Name)
		}
	}
}

// TestCIProfileSynthetic runs the synthetic pipeline of the real file under
// the ci profile through the engine (in-memory store, local executor), then
// again to check that nothing reruns. .ci/run runs the whole ci profile,
// tables included.
func TestCIProfileSynthetic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs training stages")
	}
	reg := registryForTest(t)
	dir := t.TempDir()
	src, err := os.ReadFile(pipelinesFile)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pipelines.yaml") // exports, if any, land in the temp dir
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pipeline.Load(path, pipeline.LoadOptions{Registry: reg, Profile: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	fp, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources()})
	if err != nil {
		t.Fatal(err)
	}
	store := artifacts.NewMemStore()
	eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Fingerprints: fp, DataDir: sharedData,
		Executor: local.New(store, local.Options{TempDir: dir})})
	ctx := context.Background()
	rep, err := eng.Run(ctx, []string{"synthetic"}, pipeline.RunOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Count(pipeline.StatusRan); n < 20 {
		t.Errorf("%d stages ran, want the whole synthetic pipeline (≥ 20)", n)
	}
	evals := 0
	for _, s := range rep.Stages {
		if strings.HasPrefix(s.Name, "eval-") {
			evals++
		}
	}
	if evals != 30 {
		t.Errorf("%d evaluations, want 10 methods per context, 9 pooled and 11 contextual (7 at the training M, 4 at the large M)", evals)
	}
	again, err := eng.Run(ctx, []string{"synthetic"}, pipeline.RunOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Count(pipeline.StatusRan); n != 0 {
		t.Errorf("second run ran %d stages, want everything cached", n)
	}
}
