package fingerprint_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
)

const kernFile = `package kern

import "fmt"

var scale = 2.0

type workspace struct {
	buf  []float64
	Size int
}

func (w *workspace) grow(n int) []float64 {
	for len(w.buf) < n {
		w.buf = append(w.buf, 0)
	}
	return w.buf[:n]
}

// Sum adds x, scaled, with the assembly kernel.
func Sum(x []float64) float64 {
	w := &workspace{buf: nil, Size: len(x)}
	total := 0.0
	for i, v := range w.grow(len(x)) {
		total += v + x[i]*scale
	}
	if scale := 3.0; total > scale {
		total = sumAsm(x)
	}
	return total
}

func sumAsm(x []float64) float64

func unusedAsm(x []float64) float64

type name struct{ s string }

func (n name) String() string { return fmt.Sprint(n.s) }
`

const kernAsm = `#include "textflag.h"

// func sumAsm(x []float64) float64
TEXT ·sumAsm(SB), NOSPLIT, $0-32
	MOVQ x_base+0(FP), SI // the data
	RET

TEXT ·unusedAsm(SB), NOSPLIT, $0-32
	RET
`

const kernReach = `{"kinds": {"example.com/m/kern.Sum": {
	"units": ["example.com/m/kern f:Sum", "example.com/m/kern f:sumAsm", "example.com/m/kern m:workspace.grow",
		"example.com/m/kern t:workspace", "example.com/m/kern v:scale"],
	"imports": []}}}`

func kernFS() fstest.MapFS {
	return fstest.MapFS{
		"go.mod":           {Data: []byte(modFile)},
		"kern/kern.go":     {Data: []byte(kernFile)},
		"kern/sum_amd64.s": {Data: []byte(kernAsm)},
	}
}

func kernFP(t *testing.T, m fstest.MapFS, reach bool) (string, error) {
	t.Helper()
	cfg := fingerprint.Config{Sources: m, Deps: map[string]string{}, GoVersion: "go1.26"}
	if reach {
		cfg.Reach = []byte(kernReach)
	}
	f, err := fingerprint.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f.Func("example.com/m/kern.Sum")
}

// TestNormalForm checks that the fingerprint ignores local names and the
// names of unexported fields, but not what the code does, its exported
// names, or the assembly of the functions it reaches; with and without a
// reach list.
func TestNormalForm(t *testing.T) {
	cases := []struct {
		name     string
		path     string
		old, new string
		change   bool
	}{
		{"rename a local", "kern/kern.go", "total", "acc", false},
		{"rename a range variable", "kern/kern.go", "for i, v := range", "for j, v := range", true}, // x[i] still names i: not a rename
		{"rename a receiver", "kern/kern.go", "(w *workspace) grow(n int)", "(ws *workspace) grow(n int)", true},
		{"rename an unexported field", "kern/kern.go", "buf", "scratch", false},
		{"rename an exported field", "kern/kern.go", "Size", "Len", true},
		{"shadowing local becomes the global", "kern/kern.go", "if scale := 3.0; total > scale", "if s := 3.0; total > scale", true},
		{"edit the global", "kern/kern.go", "var scale = 2.0", "var scale = 2.5", true},
		{"edit the reached TEXT block", "kern/sum_amd64.s", "MOVQ x_base+0(FP), SI", "MOVQ x_base+0(FP), DI", true},
		{"edit an assembly comment", "kern/sum_amd64.s", "// the data", "// the input", false},
		{"edit an unreached TEXT block", "kern/sum_amd64.s", "TEXT ·unusedAsm(SB), NOSPLIT, $0-32\n\tRET", "TEXT ·unusedAsm(SB), NOSPLIT, $0-32\n\tNOP\n\tRET", false},
	}
	for _, reach := range []bool{false, true} {
		base, err := kernFP(t, kernFS(), reach)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			m := kernFS()
			s := string(m[c.path].Data)
			if !strings.Contains(s, c.old) {
				t.Fatalf("%s lacks %q", c.path, c.old)
			}
			all := strings.ReplaceAll(s, c.old, c.new)
			if c.name == "rename a range variable" || c.name == "rename a receiver" || c.name == "shadowing local becomes the global" {
				all = strings.Replace(s, c.old, c.new, 1)
			}
			m[c.path] = &fstest.MapFile{Data: []byte(all)}
			got, err := kernFP(t, m, reach)
			if err != nil {
				t.Fatalf("reach list %v, %s: %v", reach, c.name, err)
			}
			if (got != base) != c.change {
				t.Errorf("reach list %v, %s: changed = %v, want %v", reach, c.name, got != base, c.change)
			}
		}
	}
}

// TestReachListIgnoresUnreachedMethods checks that a method the generated
// list leaves out (a String method no reached code can call) does not enter
// the fingerprint, while the syntactic walk, which cannot tell, includes it;
// and that a list naming a declaration the sources lack falls back to the
// walk (TestReachListStaleMissingDeclaration checks its warning).
func TestReachListIgnoresUnreachedMethods(t *testing.T) {
	m := kernFS()
	m["kern/kern.go"] = &fstest.MapFile{Data: []byte(strings.Replace(kernFile, "fmt.Sprint(n.s)", "fmt.Sprint(n.s, 1)", 1))}
	for _, reach := range []bool{true} {
		a, _ := kernFP(t, kernFS(), reach)
		b, _ := kernFP(t, m, reach)
		if a != b {
			t.Error("an unreached method changed the fingerprint")
		}
	}
	m["kern/kern.go"] = &fstest.MapFile{Data: []byte(strings.Replace(kernFile, "func (w *workspace) grow", "func (w *workspace) enlarge", 1))}
	got, err := kernFP(t, m, true)
	if walk, _ := kernFP(t, m, false); err != nil || got != walk {
		t.Fatalf("stale reach list: err = %v, fingerprint is the name walk's: %v", err, got == walk)
	}
}
