package pipeline

import (
	"sort"
	"strings"
)

// File is a pipelines.yaml after template expansion, the profile overlay and
// validation: every stage is concrete, every reference resolved.
type File struct {
	Path      string // the path given to Load
	Dir       string // absolute directory holding the file; shell stages run here
	Profile   string // the selected profile, "" for none
	Stages    map[string]*Stage
	Pipelines map[string]*Pipeline
	Exports   []*Export
	// Executor is the top-level `executor:` setting ("" if absent): where
	// the program runs stages unless told otherwise (`pipe run --executor`).
	// It is part of no key: where a stage runs does not change its result.
	Executor string
	order    []string // stage names in dependency order (upstream first), ties by name
}

// Stage is one concrete stage of a File.
type Stage struct {
	Name    string
	Line    int    // line of the stage (or its template) in the file
	Kind    string // built-in kind name; "" for a shell stage
	Run     string // shell command; "" for a built-in stage
	Params  Params // after the profile overlay and the kind's defaults
	Inputs  []*Input
	Outputs []string // sorted
	Deps    []string // extra files or directories, relative to File.Dir
	Impl    *Kind    // the registered kind; nil for shell stages
	// Class is the resource class of `resources: class:` ("" for the
	// default): which workers a distributed executor sends the stage to.
	// It is not part of the key: where a stage runs does not change what
	// it computes.
	Class string
	// Template is the name as written when the stage was expanded from a
	// template ("eval-${method}"), and Matrix the values it was expanded
	// with; both empty for a plain stage. `pipe dag` draws one node per
	// template.
	Template string
	Matrix   map[string]any

	lines map[string]int // "params.lr", "inputs.data", ... -> line
}

// Input is one local input name of a stage and the artifacts it receives.
type Input struct {
	Name string
	Refs []Ref // one for a plain input; any number for a fan-in (Many) input
	Many bool  // the stage receives "Name/<stage>.<output>" entries
	Line int
}

// Ref names one output of one stage, written "stage.output" in the file.
type Ref struct {
	Stage, Output string
}

func (r Ref) String() string { return r.Stage + "." + r.Output }

// ParseRef splits "stage.output" at its last dot (stage names may contain
// dots, output names may not).
func ParseRef(s string) (Ref, bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || i == len(s)-1 {
		return Ref{}, false
	}
	return Ref{Stage: s[:i], Output: s[i+1:]}, true
}

// Pipeline is a named list of target stages.
type Pipeline struct {
	Name    string
	Line    int
	Targets []string // stage names, globs already expanded, sorted
}

// Export copies one output into the working tree after a successful run.
type Export struct {
	From   Ref
	To     string // relative to File.Dir
	Format string // one of exportFormats
	Line   int
}

// exportFormats are the formats an export may name: arrow (the stored Arrow
// IPC bytes, checked to be a table), csv, json, md (rendered from the
// table), raw (the stored bytes unchanged, for shell stages' files), and blob
// (the one cell of a built-in stage's one-row file table: a figure's PNG, a report's HTML).
var exportFormats = []string{"arrow", "blob", "csv", "json", "md", "raw"}

// Shell reports whether s runs a shell command rather than a built-in kind.
func (s *Stage) Shell() bool { return s.Kind == "" }

// KindName is the kind recorded in run records: the built-in kind, or "shell".
func (s *Stage) KindName() string {
	if s.Shell() {
		return "shell"
	}
	return s.Kind
}

// line returns the line of a key path such as "params.lr", falling back to
// the stage's own line.
func (s *Stage) line(path string) int {
	if l, ok := s.lines[path]; ok {
		return l
	}
	return s.Line
}

// Upstream returns the names of the stages s reads from, sorted, without duplicates.
func (s *Stage) Upstream() []string {
	seen := map[string]bool{}
	var out []string
	for _, in := range s.Inputs {
		for _, r := range in.Refs {
			if !seen[r.Stage] {
				seen[r.Stage] = true
				out = append(out, r.Stage)
			}
		}
	}
	sort.Strings(out)
	return out
}

// InputNames lists the names under which s receives its artifacts: the
// local name for a plain input, "name/<stage>.<output>" for each artifact of
// a fan-in input. The order is sorted and matches InputRefs.
func (s *Stage) InputNames() []string {
	names, _ := s.inputPairs()
	return names
}

// InputRefs returns, for each entry of InputNames, the output it reads.
func (s *Stage) InputRefs() []Ref {
	_, refs := s.inputPairs()
	return refs
}

func (s *Stage) inputPairs() ([]string, []Ref) {
	type pair struct {
		name string
		ref  Ref
	}
	var ps []pair
	for _, in := range s.Inputs {
		if !in.Many {
			ps = append(ps, pair{in.Name, in.Refs[0]})
			continue
		}
		for _, r := range in.Refs {
			ps = append(ps, pair{in.Name + "/" + r.String(), r})
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].name < ps[j].name })
	names := make([]string, len(ps))
	refs := make([]Ref, len(ps))
	for i, p := range ps {
		names[i], refs[i] = p.name, p.ref
	}
	return names, refs
}

// Names returns every stage name in dependency order: each stage after all
// stages it reads from, ties broken by name.
func (f *File) Names() []string { return append([]string(nil), f.order...) }
