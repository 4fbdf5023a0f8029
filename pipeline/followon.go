package pipeline

import (
	"fmt"
	"strings"
)

// One mistake in a template spreads: a typo `kynd:` leaves every stage of
// the template without a kind, and every stage reading from those stages
// with a missing output, which once made 112 lines for one typo. prune
// keeps the root problems and drops their consequences, with one line
// saying how many were dropped; fixing the roots and loading again shows
// what remains.

// prune rewrites p.errs, given the number of problems found while reading
// the file (nRead) and after expanding templates and checking kinds
// (nExpand), and the template each expanded stage came from.
//
//   - Problems of stages expanded from a template that already had a
//     problem while it was read are dropped.
//   - Later problems that name a stage with an earlier problem (an input
//     reading from it) are dropped.
//   - Problems with the same line and message for stages of one template
//     are reported once, with the count of stages.
func (p *problems) prune(nRead, nExpand int, templateOf map[string]string) {
	if len(p.errs) <= 1 {
		return
	}
	brokenTpl := map[string]bool{}
	for _, e := range p.errs[:nRead] {
		brokenTpl[e.Stage] = true
	}
	broken := map[string]bool{}
	kept := append([]*SpecError(nil), p.errs[:nRead]...)
	dropped := 0
	for i, e := range p.errs[nRead:] {
		tpl := templateOf[e.Stage]
		switch {
		case nRead+i < nExpand && (brokenTpl[tpl] || brokenTpl[e.Stage]):
			broken[e.Stage] = true
			dropped++
		case nRead+i >= nExpand && mentionsAny(e.Msg, broken, brokenTpl, templateOf):
			dropped++
		default:
			if nRead+i < nExpand {
				broken[e.Stage] = true
			}
			kept = append(kept, e)
		}
	}
	kept, merged := mergeTemplateCopies(kept, templateOf)
	dropped += merged
	if dropped > 0 && len(kept) > 0 {
		kept = append(kept, &SpecError{File: p.file, Msg: fmt.Sprintf("(%d follow-on problems caused by these are not shown; fix these first)", dropped)})
	}
	p.errs = kept
}

// mentionsAny reports whether msg names (in quotes) a broken stage or a
// stage of a broken template.
func mentionsAny(msg string, broken, brokenTpl map[string]bool, templateOf map[string]string) bool {
	for name, tpl := range templateOf {
		if (broken[name] || brokenTpl[tpl]) && strings.Contains(msg, fmt.Sprintf("%q", name)) {
			return true
		}
	}
	return false
}

// mergeTemplateCopies keeps one of each group of problems with the same
// line and message whose stages come from one template, naming how many
// stages share it; it returns the kept problems and how many it merged.
func mergeTemplateCopies(errs []*SpecError, templateOf map[string]string) ([]*SpecError, int) {
	type groupKey struct {
		line     int
		msg, tpl string
	}
	first := map[groupKey]*SpecError{}
	count := map[groupKey]int{}
	var out []*SpecError
	for _, e := range errs {
		tpl := templateOf[e.Stage]
		if tpl == "" || tpl == e.Stage {
			out = append(out, e)
			continue
		}
		k := groupKey{e.Line, e.Msg, tpl}
		count[k]++
		if first[k] == nil {
			first[k] = e
			out = append(out, e)
		}
	}
	merged := 0
	for k, e := range first {
		if n := count[k]; n > 1 {
			e.Msg += fmt.Sprintf(" (and in %d more stages of %s)", n-1, k.tpl)
			merged += n - 1
		}
	}
	return out, merged
}
