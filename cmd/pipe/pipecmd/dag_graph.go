package pipecmd

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// dagGraph is the graph `pipe dag` draws: one node per stage, or with
// collapsing one node per template, named as written ("count-${seed}"),
// whose inputs are the union of its stages' inputs, themselves collapsed.
type dagGraph struct {
	order []string // nodes in dependency order of their first stage
	nodes map[string]*dagNode
}

// dagNode is one drawn node.
type dagNode struct {
	kind       string
	stages     int
	matrix     map[string][]string // variable -> values in first-seen order
	matrixVars []string
	inputNames []string            // in the order first seen
	inputs     map[string][]string // input -> "node.output" refs, first-seen order
}

// graphOf builds the graph of the stages names (in dependency order).
func graphOf(f *pipeline.File, names []string, collapse bool) *dagGraph {
	g := &dagGraph{nodes: map[string]*dagNode{}}
	nodeOf := func(stage string) string {
		if s := f.Stages[stage]; collapse && s.Template != "" {
			return s.Template
		}
		return stage
	}
	for _, n := range names {
		s := f.Stages[n]
		id := nodeOf(n)
		nd := g.nodes[id]
		if nd == nil {
			nd = &dagNode{kind: s.KindName(), matrix: map[string][]string{}, inputs: map[string][]string{}}
			g.nodes[id] = nd
			g.order = append(g.order, id)
		}
		nd.stages++
		if collapse {
			nd.addMatrix(s.Matrix)
		}
		for _, in := range s.Inputs {
			for _, r := range in.Refs {
				nd.addInput(in.Name, nodeOf(r.Stage)+"."+r.Output)
			}
		}
	}
	return g
}

func (nd *dagNode) addMatrix(m map[string]any) {
	vars := make([]string, 0, len(m))
	for k := range m {
		vars = append(vars, k)
	}
	sort.Strings(vars)
	for _, k := range vars {
		v := fmt.Sprint(m[k])
		if _, ok := nd.matrix[k]; !ok {
			nd.matrixVars = append(nd.matrixVars, k)
		}
		if !slices.Contains(nd.matrix[k], v) {
			nd.matrix[k] = append(nd.matrix[k], v)
		}
	}
}

func (nd *dagNode) addInput(name, ref string) {
	if _, ok := nd.inputs[name]; !ok {
		nd.inputNames = append(nd.inputNames, name)
	}
	if !slices.Contains(nd.inputs[name], ref) {
		nd.inputs[name] = append(nd.inputs[name], ref)
	}
}

// upstream lists the nodes this node reads from.
func (nd *dagNode) upstream() []string {
	var out []string
	for _, in := range nd.inputNames {
		for _, r := range nd.inputs[in] {
			if ref, ok := pipeline.ParseRef(r); ok && !slices.Contains(out, ref.Stage) {
				out = append(out, ref.Stage)
			}
		}
	}
	return out
}

// matrixText renders "×6 [method: mse, dfl; seed: 0, 1, 2]" for a template.
func (nd *dagNode) matrixText() string {
	if len(nd.matrixVars) == 0 {
		return ""
	}
	parts := make([]string, len(nd.matrixVars))
	for i, k := range nd.matrixVars {
		parts[i] = k + ": " + strings.Join(nd.matrix[k], ", ")
	}
	return fmt.Sprintf("×%d [%s]", nd.stages, strings.Join(parts, "; "))
}
