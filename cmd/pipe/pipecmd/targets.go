package pipecmd

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// expandTargets resolves command-line targets: names of pipelines or
// stages, or shell globs over both (`pipe status 'eval-*-power-s0'`). A
// name that matches nothing is an error with a did-you-mean.
func expandTargets(f *pipeline.File, args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	all := targetNames(f)
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			if _, ok := f.Stages[a]; !ok && f.Pipelines[a] == nil {
				return nil, fmt.Errorf("%w: %q is not a pipeline or stage of %s%s (pipelines: %s)",
					pipeline.ErrUnknownTarget, a, f.Path, pipeline.Suggest(a, all), strings.Join(slices.Sorted(maps.Keys(f.Pipelines)), ", "))
			}
			add(a)
			continue
		}
		if _, err := path.Match(a, ""); err != nil {
			return nil, fmt.Errorf("target %q: bad glob: %w", a, err)
		}
		n := len(out)
		for _, name := range all {
			if ok, _ := path.Match(a, name); ok {
				add(name)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("%w: the glob %q matches no pipeline or stage of %s", pipeline.ErrUnknownTarget, a, f.Path)
		}
	}
	return out, nil
}

// targetNames lists the pipelines and stages of f, sorted.
func targetNames(f *pipeline.File) []string {
	names := append(slices.Sorted(maps.Keys(f.Pipelines)), slices.Sorted(maps.Keys(f.Stages))...)
	sort.Strings(names)
	return names
}

// matchStageGlobs resolves -F arguments (names or globs of stages) to a
// set of stage names.
func matchStageGlobs(f *pipeline.File, pats []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, p := range pats {
		n := len(set)
		for name := range f.Stages {
			if ok, _ := path.Match(p, name); ok || name == p {
				set[name] = true
			}
		}
		if len(set) == n {
			return nil, fmt.Errorf("%w: -F %q matches no stage%s", pipeline.ErrUnknownTarget, p, pipeline.Suggest(p, slices.Sorted(maps.Keys(f.Stages))))
		}
	}
	return set, nil
}
