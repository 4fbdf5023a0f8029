package pipeline

import (
	"fmt"
	"sort"
	"strings"
)

// topoOrder sorts the stages upstream first (Kahn's algorithm, ties by
// name, so the order is deterministic) and reports a cycle if there is one.
func topoOrder(p *problems, f *File) []string {
	indeg := map[string]int{}
	down := map[string][]string{}
	for name, s := range f.Stages {
		ups := s.Upstream()
		indeg[name] = len(ups)
		for _, u := range ups {
			down[u] = append(down[u], name)
		}
	}
	var ready []string
	for name, d := range indeg {
		if d == 0 {
			ready = append(ready, name)
		}
	}
	sort.Strings(ready)
	order := make([]string, 0, len(f.Stages))
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		var freed []string
		for _, d := range down[n] {
			if indeg[d]--; indeg[d] == 0 {
				freed = append(freed, d)
			}
		}
		if len(freed) > 0 {
			ready = append(ready, freed...)
			sort.Strings(ready)
		}
	}
	if len(order) < len(f.Stages) {
		cyc := findCycle(f, indeg)
		p.add(f.Stages[cyc[0]].Line, cyc[0], "dependency cycle: %s", strings.Join(cyc, " → "))
		return nil
	}
	return order
}

// findCycle walks upstream from the first stage left with unmet inputs
// until a stage repeats; the repeated stretch is a cycle. Every stage left
// over by Kahn's algorithm has an upstream stage that is also left over.
func findCycle(f *File, indeg map[string]int) []string {
	var left []string
	for n, d := range indeg {
		if d > 0 {
			left = append(left, n)
		}
	}
	sort.Strings(left)
	pos := map[string]int{}
	var walk []string
	n := left[0]
	for {
		if i, seen := pos[n]; seen {
			cyc := append([]string(nil), walk[i:]...)
			// Report in data-flow order: producer → consumer.
			// Report in data-flow order (producer → consumer), starting
			// from the smallest name so the message is stable.
			for a, b := 0, len(cyc)-1; a < b; a, b = a+1, b-1 {
				cyc[a], cyc[b] = cyc[b], cyc[a]
			}
			first := 0
			for i := range cyc {
				if cyc[i] < cyc[first] {
					first = i
				}
			}
			cyc = append(cyc[first:], cyc[:first]...)
			return append(cyc, cyc[0])
		}
		pos[n] = len(walk)
		walk = append(walk, n)
		for _, u := range f.Stages[n].Upstream() {
			if indeg[u] > 0 {
				n = u
				break
			}
		}
	}
}

// Targets resolves command-line names (pipeline names or stage names; none
// means every stage) to the set of target stages, sorted.
func (f *File) Targets(names []string) ([]string, error) {
	if len(names) == 0 {
		return f.sortedStageNames(), nil
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		var ts []string
		if pl, ok := f.Pipelines[n]; ok {
			ts = pl.Targets
		} else if _, ok := f.Stages[n]; ok {
			ts = []string{n}
		} else {
			return nil, fmt.Errorf("%w: %q (pipelines: %s)", ErrUnknownTarget, n, joinSorted(keysOf(f.Pipelines)))
		}
		for _, t := range ts {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Closure returns the targets and every stage upstream of them, in
// dependency order.
func (f *File) Closure(targets []string) []string {
	need := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if need[n] {
			return
		}
		need[n] = true
		for _, u := range f.Stages[n].Upstream() {
			visit(u)
		}
	}
	for _, t := range targets {
		visit(t)
	}
	out := make([]string, 0, len(need))
	for _, n := range f.order {
		if need[n] {
			out = append(out, n)
		}
	}
	return out
}

// Downstream returns, for each stage, the stages that read from it, sorted.
func (f *File) Downstream() map[string][]string {
	down := map[string][]string{}
	for _, n := range f.order {
		for _, u := range f.Stages[n].Upstream() {
			down[u] = append(down[u], n)
		}
	}
	return down
}
