package pipeline

import (
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// resolveKinds attaches each built-in stage's kind, checks and fills its
// params, and checks its ports against the kind's declaration.
func resolveKinds(p *problems, reg *Registry, stages []*Stage) {
	for _, s := range stages {
		if s.Shell() {
			checkShellNames(p, s)
			continue
		}
		var k *Kind
		ok := false
		if reg != nil {
			k, ok = reg.Lookup(s.Kind)
		}
		if !ok {
			p.add(s.line("kind"), s.Name, "unknown kind %q%s (run `pipe stages` to list the built-in kinds)", s.Kind, Suggest(s.Kind, kindNames(reg)))
			continue
		}
		s.Impl = k
		params, probs := k.CheckParams(s.Params)
		for _, name := range keysOf(probs) {
			p.add(s.line("params."+name), s.Name, "%s", probs[name])
		}
		s.Params = params
		checkKindPorts(p, s, k)
	}
}

func checkKindPorts(p *problems, s *Stage, k *Kind) {
	outs := make([]string, len(k.Outputs))
	for i, o := range k.Outputs {
		outs[i] = o.Name
	}
	sort.Strings(outs)
	if s.Outputs != nil && strings.Join(s.Outputs, ",") != strings.Join(outs, ",") {
		p.add(s.line("outputs"), s.Name, "kind %q has outputs [%s]; omit outputs: or list exactly those", k.Name, strings.Join(outs, ", "))
	}
	s.Outputs = outs
	ports := map[string]PortSpec{}
	for _, in := range k.Inputs {
		ports[in.Name] = in
	}
	given := map[string]bool{}
	for _, in := range s.Inputs {
		given[in.Name] = true
		port, ok := ports[in.Name]
		switch {
		case !ok:
			p.add(in.Line, s.Name, "kind %q has no input %q (inputs: %s)", k.Name, in.Name, joinSorted(keysOf(ports)))
		case in.Many && !port.Many:
			p.add(in.Line, s.Name, "input %q of kind %q takes exactly one stage.output reference, not a list or glob", in.Name, k.Name)
		case port.Many:
			in.Many = true
		}
	}
	for _, in := range k.Inputs {
		if !given[in.Name] && !in.Optional {
			p.add(s.line("inputs"), s.Name, "kind %q requires input %q (%s)", k.Name, in.Name, in.Doc)
		}
	}
}

// checkShellNames rejects names that would collide once upper-cased into
// PIPE_PARAM_, PIPE_IN_ and PIPE_OUT_ environment variables.
func checkShellNames(p *problems, s *Stage) {
	check := func(what, prefix string, names []string) {
		seen := map[string]string{}
		for _, n := range names {
			if what == "param" && !varNameRE.MatchString(n) {
				p.add(s.line("params."+n), s.Name, "param name %q: use letters, digits and _ so it can become PIPE_PARAM_%s", n, EnvName(n))
				continue
			}
			env := prefix + EnvName(n)
			if prev, dup := seen[env]; dup {
				p.add(s.line(what+"s"), s.Name, "%ss %q and %q both become %s", what, prev, n, env)
			}
			seen[env] = n
		}
	}
	check("param", "PIPE_PARAM_", keysOf(s.Params))
	ins := make([]string, len(s.Inputs))
	for i, in := range s.Inputs {
		ins[i] = in.Name
	}
	check("input", "PIPE_IN_", ins)
	check("output", "PIPE_OUT_", s.Outputs)
}

// EnvName upper-cases a param, input or output name for a PIPE_* variable.
func EnvName(name string) string { return strings.ToUpper(name) }

// resolveInputs turns every written reference into concrete Refs: a
// "stage.output", a glob over stage names ("eval-*.metrics", every matching
// stage that has that output), or a list of references.
func resolveInputs(p *problems, f *File, stages []*Stage) {
	names := make([]string, len(stages))
	for i, s := range stages {
		names[i] = s.Name
	}
	sort.Strings(names)
	for _, s := range stages {
		for _, in := range s.Inputs {
			var refs []Ref
			seen := map[Ref]bool{}
			for _, written := range in.Refs {
				for _, r := range resolveRef(p, f, s, in, written.Stage, names) {
					if !seen[r] {
						seen[r] = true
						refs = append(refs, r)
					}
				}
			}
			sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
			in.Refs = refs
		}
	}
}

func resolveRef(p *problems, f *File, s *Stage, in *Input, written string, names []string) []Ref {
	r, ok := ParseRef(written)
	if !ok {
		p.add(in.Line, s.Name, "input %q: %q is not a stage.output reference", in.Name, written)
		return nil
	}
	if !strings.ContainsAny(r.Stage, "*?[") {
		up, ok := f.Stages[r.Stage]
		switch {
		case !ok:
			p.add(in.Line, s.Name, "input %q refers to missing stage %q%s", in.Name, r.Stage, Suggest(r.Stage, names))
		case !contains(up.Outputs, r.Output):
			p.add(in.Line, s.Name, "input %q: stage %q has no output %q (outputs: %s)", in.Name, r.Stage, r.Output, joinSorted(up.Outputs))
		default:
			return []Ref{r}
		}
		return nil
	}
	var out []Ref
	for _, n := range names {
		if ok, err := path.Match(r.Stage, n); err != nil {
			p.add(in.Line, s.Name, "input %q: bad pattern %q: %v", in.Name, written, err)
			return nil
		} else if ok && n != s.Name && contains(f.Stages[n].Outputs, r.Output) {
			out = append(out, Ref{Stage: n, Output: r.Output})
		}
	}
	if len(out) == 0 {
		p.add(in.Line, s.Name, "input %q: pattern %q matches no stage with output %q", in.Name, written, r.Output)
	}
	return out
}

func resolvePipelines(p *problems, f *File, raws []*rawPipeline) {
	names := f.sortedStageNames()
	for _, rp := range raws {
		if !stageNameRE.MatchString(rp.name) || strings.HasPrefix(rp.name, "_") {
			p.add(rp.line, "", "invalid pipeline name %q (use letters, digits and _ . -; start with a letter or digit)", rp.name)
			continue
		}
		if _, clash := f.Stages[rp.name]; clash {
			p.add(rp.line, "", "pipeline %q has the name of a stage; rename one of them", rp.name)
			continue
		}
		pl := &Pipeline{Name: rp.name, Line: rp.line}
		seen := map[string]bool{}
		for _, t := range rp.targets {
			matched := matchStages(t, names)
			if len(matched) == 0 {
				p.add(rp.line, "", "pipeline %q: target %q is not a stage (nor a pattern matching one)", rp.name, t)
			}
			for _, m := range matched {
				if !seen[m] {
					seen[m] = true
					pl.Targets = append(pl.Targets, m)
				}
			}
		}
		sort.Strings(pl.Targets)
		f.Pipelines[rp.name] = pl
	}
}

func matchStages(pattern string, names []string) []string {
	if !strings.ContainsAny(pattern, "*?[") {
		if i := sort.SearchStrings(names, pattern); i < len(names) && names[i] == pattern {
			return []string{pattern}
		}
		return nil
	}
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(pattern, n); ok {
			out = append(out, n)
		}
	}
	return out
}

func resolveExports(p *problems, f *File, raws []*rawExport, vars map[string]any) {
	seen := map[string]int{}
	for _, raw := range raws {
		// Paths may use vars, so a profile can send its tables elsewhere
		// (the ci profile must not overwrite the default profile's results).
		re := *raw
		var err error
		if re.to, err = substString(re.to, vars, true); err != nil {
			p.add(re.line, "", "export: to: %v", err)
			continue
		}
		r, ok := ParseRef(re.from)
		switch {
		case !ok:
			p.add(re.line, "", "export: from %q is not a stage.output reference", re.from)
			continue
		case f.Stages[r.Stage] == nil:
			p.add(re.line, "", "export: from %q refers to missing stage %q", re.from, r.Stage)
			continue
		case !contains(f.Stages[r.Stage].Outputs, r.Output):
			p.add(re.line, r.Stage, "export: stage has no output %q", r.Output)
			continue
		case !contains(exportFormats, re.format):
			p.add(re.line, "", "export: format %q is not one of %s", re.format, strings.Join(exportFormats, ", "))
			continue
		}
		to := filepath.ToSlash(filepath.Clean(re.to))
		if re.to == "" || path.IsAbs(to) || to == ".." || strings.HasPrefix(to, "../") {
			p.add(re.line, "", "export: to %q must be a path inside the directory of the pipelines file", re.to)
			continue
		}
		if first, dup := seen[to]; dup {
			p.add(re.line, "", "export: %q is already written by the export at line %d", to, first)
			continue
		}
		seen[to] = re.line
		f.Exports = append(f.Exports, &Export{From: r, To: to, Format: re.format, Line: re.line})
	}
}

func (f *File) sortedStageNames() []string {
	names := keysOf(f.Stages)
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// kindNames lists the registered kinds, for did-you-mean.
func kindNames(reg *Registry) []string {
	if reg == nil {
		return nil
	}
	var out []string
	for _, k := range reg.Kinds() {
		out = append(out, k.Name)
	}
	return out
}
