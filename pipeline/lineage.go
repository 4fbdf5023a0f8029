package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// LineageNode is one step of a provenance chain: the run that produced an
// artifact and, for each of its inputs, the run that produced that input.
type LineageNode struct {
	Record *artifacts.Record
	Output string                  // the output followed into this run ("" for all)
	Inputs map[string]*LineageNode // local input name -> producer (nil if unknown)
}

// Lineage returns the provenance chain of a stage's latest run (or of one of
// its outputs) back to the sources: stages without inputs, whose external
// files are listed in their records.
func Lineage(ctx context.Context, s artifacts.Store, stage, output string) (*LineageNode, error) {
	key, err := s.GetRef(ctx, stageRef(stage))
	if errors.Is(err, artifacts.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s (run it first)", ErrNotRun, stage)
	} else if err != nil {
		return nil, err
	}
	rec, err := s.GetRecord(ctx, artifacts.Key(key))
	if err != nil {
		return nil, err
	}
	if output != "" {
		if _, ok := rec.Outputs[output]; !ok {
			return nil, fmt.Errorf("stage %s has no output %q (outputs: %s)", stage, output, joinSorted(keysOf(rec.Outputs)))
		}
	}
	producers, err := producerIndex(ctx, s)
	if err != nil {
		return nil, err
	}
	return lineageOf(rec, output, producers, map[artifacts.Key]bool{}), nil
}

// producerIndex maps each object to the most recent record that output it.
func producerIndex(ctx context.Context, s artifacts.Store) (map[artifacts.Digest]*artifacts.Record, error) {
	idx := map[artifacts.Digest]*artifacts.Record{}
	err := s.Records(ctx, func(r *artifacts.Record) error {
		for _, d := range r.Outputs {
			if old, ok := idx[d]; !ok || r.End.After(old.End) {
				idx[d] = r
			}
		}
		return nil
	})
	return idx, err
}

func lineageOf(rec *artifacts.Record, output string, producers map[artifacts.Digest]*artifacts.Record, seen map[artifacts.Key]bool) *LineageNode {
	n := &LineageNode{Record: rec, Output: output, Inputs: map[string]*LineageNode{}}
	if seen[rec.Key] {
		return n // content-addressed data cannot loop, but a damaged store might
	}
	seen[rec.Key] = true
	for name, d := range rec.Inputs {
		p, ok := producers[d]
		if !ok {
			n.Inputs[name] = nil
			continue
		}
		out := ""
		for o, od := range p.Outputs {
			if od == d {
				out = o
			}
		}
		n.Inputs[name] = lineageOf(p, out, producers, seen)
	}
	return n
}
