package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// LineageNode is one step of a provenance chain: the run that produced an
// artifact and, for each of its inputs, the run that produced that input.
type LineageNode struct {
	Record *artifacts.RunRecord
	Output string                  // the output followed into this run ("" for all)
	Inputs map[string]*LineageNode // local input name -> producer (nil if unknown)
	// Repeat marks a run already shown elsewhere in the chain; its inputs
	// are not repeated.
	Repeat bool
}

// Lineage returns the provenance chain of rec (or of one of its outputs)
// back to the sources: stages without inputs, whose external files are
// listed in their records. Producers are found through run records: an
// input's producer is the stage the file f wires it to (or the stage its
// fan-in name says), and its run is the latest record of that stage whose
// output is the input's object, preferring one of the same profile. Two
// stages that write byte-identical outputs are thus never confused.
func Lineage(ctx context.Context, s artifacts.Records, f *File, rec *artifacts.RunRecord, output string) (*LineageNode, error) {
	if output != "" {
		if _, ok := rec.Outputs[output]; !ok {
			return nil, fmt.Errorf("stage %s has no output %q (outputs: %s)", rec.Stage, output, joinSorted(keysOf(rec.Outputs)))
		}
	}
	byStage := map[string][]*artifacts.RunRecord{}
	err := s.Records(ctx, func(r *artifacts.RunRecord) error {
		byStage[r.Stage] = append(byStage[r.Stage], r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lineage of %s: %w", rec.Stage, err)
	}
	l := &lineage{f: f, byStage: byStage, seen: map[artifacts.Key]bool{}}
	return l.node(rec, output), nil
}

// lineage holds the records of a store by stage while a chain is built.
type lineage struct {
	f       *File
	byStage map[string][]*artifacts.RunRecord
	seen    map[artifacts.Key]bool
}

func (l *lineage) node(rec *artifacts.RunRecord, output string) *LineageNode {
	n := &LineageNode{Record: rec, Output: output, Inputs: map[string]*LineageNode{}}
	if l.seen[rec.Key] {
		n.Repeat = true
		return n
	}
	l.seen[rec.Key] = true
	refs := l.inputRefs(rec.Stage)
	for _, name := range keysOf(rec.Inputs) {
		ref, ok := refs[name]
		if !ok {
			ref, ok = fanInRef(name)
		}
		var p *artifacts.RunRecord
		if ok {
			p = l.producer(ref, rec.Inputs[name], rec.Profile)
		}
		if p == nil {
			n.Inputs[name] = nil
			continue
		}
		n.Inputs[name] = l.node(p, ref.Output)
	}
	return n
}

// inputRefs maps a stage's input names (as records name them) to the
// outputs they read, from the loaded file.
func (l *lineage) inputRefs(stage string) map[string]Ref {
	out := map[string]Ref{}
	if l.f == nil || l.f.Stages[stage] == nil {
		return out
	}
	names, refs := l.f.Stages[stage].inputPairs()
	for i, n := range names {
		out[n] = refs[i]
	}
	return out
}

// fanInRef reads the reference out of a fan-in input name "counts/x.out".
func fanInRef(name string) (Ref, bool) {
	_, r, ok := strings.Cut(name, "/")
	if !ok {
		return Ref{}, false
	}
	return ParseRef(r)
}

// producer is the latest run of ref.Stage that wrote d as ref.Output,
// preferring runs under profile.
func (l *lineage) producer(ref Ref, d artifacts.Digest, profile string) *artifacts.RunRecord {
	var best *artifacts.RunRecord
	better := func(r *artifacts.RunRecord) bool {
		if best == nil {
			return true
		}
		if (r.Profile == profile) != (best.Profile == profile) {
			return r.Profile == profile
		}
		return r.End.After(best.End)
	}
	for _, r := range l.byStage[ref.Stage] {
		if r.Outputs[ref.Output] == d && better(r) {
			best = r
		}
	}
	return best
}
