package pipeline

import (
	"path"

	"go.yaml.in/yaml/v3"
)

// rawProfile is one entry of profiles: a var overlay applied before template
// expansion and a param overlay applied after it.
type rawProfile struct {
	name     string
	line     int
	vars     map[string]any
	varLines map[string]int
	params   []paramOverlay
}

// paramOverlay sets params on every stage whose name matches pattern (a
// path.Match glob such as "train-*").
type paramOverlay struct {
	pattern string
	line    int
	values  map[string]any
	lines   map[string]int
}

var profileKeys = map[string]bool{"vars": true, "params": true}

func readProfile(p *problems, name string, line int, n *yaml.Node) *rawProfile {
	prof := &rawProfile{name: name, line: line, vars: map[string]any{}, varLines: map[string]int{}}
	if !stageNameRE.MatchString(name) {
		p.add(line, "", "invalid profile name %q (use letters, digits and _ . -)", name)
	}
	err := eachPair(n, func(key string, kl int, v *yaml.Node) error {
		switch {
		case !profileKeys[key]:
			p.add(kl, "", "profile %q: unknown key %q (known: params, vars)", name, key)
			return nil
		case key == "vars":
			return readVars(v, prof.vars, prof.varLines)
		}
		return eachPair(v, func(pattern string, pl int, pv *yaml.Node) error {
			o := paramOverlay{pattern: pattern, line: pl, values: map[string]any{}, lines: map[string]int{}}
			if err := readVars(pv, o.values, o.lines); err != nil {
				return err
			}
			prof.params = append(prof.params, o)
			return nil
		})
	})
	if err != nil {
		p.add(line, "", "profile %q: %v", name, err)
	}
	return prof
}

// overlayVars returns the top-level vars with the profile's vars replacing
// them. A profile may only change vars that exist, which catches typos.
func overlayVars(p *problems, raw *rawFile, prof *rawProfile) map[string]any {
	out := make(map[string]any, len(raw.vars))
	for k, v := range raw.vars {
		out[k] = v
	}
	for _, k := range keysOf(prof.vars) {
		if _, ok := raw.vars[k]; !ok {
			p.add(prof.varLines[k], "", "profile %q: var %q is not defined in the top-level vars", prof.name, k)
			continue
		}
		out[k] = prof.vars[k]
	}
	return out
}

// applyProfile sets the profile's params on the matching stages, in file
// order (a later pattern wins over an earlier one for the same param). The
// lines of overlaid params point at the profile, so validation errors name
// the line that set the bad value.
func applyProfile(p *problems, prof *rawProfile, stages []*Stage) {
	for _, o := range prof.params {
		if _, err := path.Match(o.pattern, ""); err != nil {
			p.add(o.line, "", "profile %q: bad stage pattern %q: %v", prof.name, o.pattern, err)
			continue
		}
		matched := false
		for _, s := range stages {
			if ok, _ := path.Match(o.pattern, s.Name); !ok {
				continue
			}
			matched = true
			lines := make(map[string]int, len(s.lines)+len(o.values))
			for k, l := range s.lines {
				lines[k] = l
			}
			for k, v := range o.values {
				s.Params[k] = deepCopy(v)
				lines["params."+k] = o.lines[k]
			}
			s.lines = lines
		}
		if !matched {
			p.add(o.line, "", "profile %q: pattern %q matches no stage", prof.name, o.pattern)
		}
	}
}
