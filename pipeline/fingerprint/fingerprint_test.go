package fingerprint_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
)

const modFile = "module example.com/m\n\ngo 1.26\n\nrequire ext.org/lib v1.2.0\n"

const stagesFile = `package stages

import (
	"example.com/m/model"
	"ext.org/lib"
)

const scale = 2

type trainer struct{ n int }

func (t *trainer) step() int { return t.n * scale }

func (t *trainer) other() int { return 7 }

// Run is the root.
func Run() int {
	t := &trainer{n: 1}
	return t.step() + model.Forward(3) + helper()
}

func helper() int { return lib.X }

func unrelated() int { return 42 }
`

const modelFile = `package model

// Forward is reached from stages.Run.
func Forward(x int) int { return x + bias() }

func bias() int { return 1 }

func Unused() int { return 0 }
`

func baseFS() fstest.MapFS {
	return fstest.MapFS{
		"go.mod":           {Data: []byte(modFile)},
		"stages/stages.go": {Data: []byte(stagesFile)},
		"model/model.go":   {Data: []byte(modelFile)},
		"model/x_test.go":  {Data: []byte("package model\n\nfunc bias() int { return 99 }\n")},
	}
}

func fp(t *testing.T, fsys fstest.MapFS, deps map[string]string, goVersion string) string {
	t.Helper()
	f, err := fingerprint.New(fingerprint.Config{Sources: fsys, Deps: deps, GoVersion: goVersion})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Func("example.com/m/stages.Run")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFingerprintChangesOnlyWithReachableCode mutates the sources in every
// way that matters and every way that must not.
func TestFingerprintChangesOnlyWithReachableCode(t *testing.T) {
	deps := map[string]string{"ext.org/lib": "v1.2.0"}
	base := fp(t, baseFS(), deps, "go1.26")
	edit := func(path, old, new string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			s := string(m[path].Data)
			if !strings.Contains(s, old) {
				t.Fatalf("%s lacks %q", path, old)
			}
			m[path] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	cases := []struct {
		name   string
		mutate func(fstest.MapFS)
		change bool
	}{
		{"comment edit", edit("stages/stages.go", "// Run is the root.", "// Run is where it starts."), false},
		{"new comment in body", edit("stages/stages.go", "t := &trainer{n: 1}", "t := &trainer{n: 1} // one"), false},
		{"reformat", edit("stages/stages.go", "return t.step() + model.Forward(3) + helper()", "return t.step() +\n\t\tmodel.Forward(3) +\n\t\thelper()"), false},
		{"unrelated function", edit("stages/stages.go", "return 42", "return 43"), false},
		{"unused function of imported package", edit("model/model.go", "return 0", "return 5"), false},
		{"test file", edit("model/x_test.go", "99", "98"), false},
		{"move a function to another file", func(m fstest.MapFS) {
			edit("stages/stages.go", "func helper() int { return lib.X }", "")(m)
			m["stages/helper.go"] = &fstest.MapFile{Data: []byte("package stages\n\nimport \"ext.org/lib\"\n\nfunc helper() int { return lib.X }\n")}
		}, false},
		{"reachable function", edit("stages/stages.go", "return lib.X", "return lib.X + 1"), true},
		{"method of reachable type", edit("stages/stages.go", "return t.n * scale", "return t.n + scale"), true},
		{"unused method of reachable type", edit("stages/stages.go", "return 7", "return 8"), true},
		{"constant", edit("stages/stages.go", "const scale = 2", "const scale = 3"), true},
		{"used function of imported package", edit("model/model.go", "return 1", "return 2"), true},
		{"struct field", edit("stages/stages.go", "type trainer struct{ n int }", "type trainer struct{ n int64 }"), true},
		{"operator", edit("model/model.go", "x + bias()", "x - bias()"), true},
		{"new init function", func(m fstest.MapFS) {
			m["model/init.go"] = &fstest.MapFile{Data: []byte("package model\n\nfunc init() { println() }\n")}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := baseFS()
			c.mutate(m)
			got := fp(t, m, deps, "go1.26")
			if (got != base) != c.change {
				t.Errorf("fingerprint changed = %v, want %v", got != base, c.change)
			}
		})
	}
	if fp(t, baseFS(), map[string]string{"ext.org/lib": "v1.3.0"}, "go1.26") == base {
		t.Error("external module version not in the fingerprint")
	}
	if fp(t, baseFS(), deps, "go1.27") == base {
		t.Error("Go version not in the fingerprint")
	}
}

func TestFingerprintMissingPackageFailsLoudly(t *testing.T) {
	m := baseFS()
	delete(m, "model/model.go")
	f, err := fingerprint.New(fingerprint.Config{Sources: m, Deps: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Func("example.com/m/stages.Run")
	if !errors.Is(err, pipeline.ErrFingerprint) || !strings.Contains(err.Error(), "sources.go") {
		t.Fatalf("err = %v, want ErrFingerprint naming sources.go", err)
	}
	if _, err := f.Func("example.com/m/stages.Nope"); err == nil {
		t.Fatal("missing function fingerprinted")
	}
}

// runEcho is a kind implementation declared in this test package; it reaches
// package pipeline and artifacts code through the real module sources.
func runEcho(ctx context.Context, in pipeline.Inputs, p pipeline.Params, r pipeline.Reporter) (pipeline.Outputs, error) {
	r.Logf("echo %d", p.Int("n"))
	return pipeline.Outputs{"out": in.Tables["in"]}, nil
}

func TestFingerprintRealModule(t *testing.T) {
	f, err := fingerprint.New(fingerprint.Config{Sources: os.DirFS("../.."), Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	k := &pipeline.Kind{Name: "echo", Run: runEcho}
	a, err := f.Fingerprint(k)
	if err != nil {
		t.Fatal(err)
	}
	k.Version = "2"
	b, err := f.Fingerprint(k)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 64 || a == b {
		t.Fatalf("fingerprints %q, %q: want 64 hex digits, changed by Version", a, b)
	}
}

func BenchmarkFingerprintRealModule(b *testing.B) {
	for i := 0; i < b.N; i++ {
		f, err := fingerprint.New(fingerprint.Config{Sources: os.DirFS("../.."), Tests: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Fingerprint(&pipeline.Kind{Name: "echo", Run: runEcho}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSourceDigest(t *testing.T) {
	digest := func(m fstest.MapFS) string {
		f, err := fingerprint.New(fingerprint.Config{Sources: m, Deps: map[string]string{"ext.org/lib": "v1.2.0"}, GoVersion: "go1.26"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.SourceDigest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b := digest(baseFS()), digest(baseFS())
	m := baseFS()
	m["model/model.go"] = &fstest.MapFile{Data: []byte(modelFile + "// a comment\n")}
	if a != b || digest(m) == a {
		t.Fatal("source digest must be equal for equal sources and change with any byte")
	}
}
