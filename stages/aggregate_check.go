package stages

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// checkDuplicateRuns fails when two records of one fan-in describe the same
// (dataset, method, seed): averaging both would count the seed twice.
func checkDuplicateRuns(port string, runs []aggRun) error {
	type key struct {
		dataset, method string
		seed            int
	}
	seen := map[key]string{}
	for _, rv := range runs {
		k := key{rv.dataset, rv.method, rv.seed}
		if prev, dup := seen[k]; dup {
			return fmt.Errorf("%w: %s stages %s and %s both report dataset %q, method %q, seed %d; give each run its own method label or seed",
				ErrInconsistentRuns, port, prev, rv.stage, rv.dataset, rv.method, rv.seed)
		}
		seen[k] = rv.stage
	}
	return nil
}

// checkTasks fails when one dataset label appears under two tasks.
func checkTasks(runs []aggRun) error {
	first := map[string]aggRun{}
	for _, rv := range runs {
		prev, ok := first[rv.dataset]
		if !ok {
			first[rv.dataset] = rv
			continue
		}
		if prev.task != rv.task {
			return fmt.Errorf("%w: dataset %q is task %q in stage %s but task %q in stage %s",
				ErrInconsistentRuns, rv.dataset, prev.task, prev.stage, rv.task, rv.stage)
		}
	}
	return nil
}

// checkSampleCounts enforces the protocol that every sampling method of a
// task is evaluated with the same number of samples M (issue 6): within one
// dataset label, every evaluation row of a method that samples must have
// the same m. Point methods (one prediction or decision per context, see
// Method.Point) are exempt from the cross-method rule but must still agree
// across their own seeds. The error lists, for each M seen, the stages and
// methods that used it.
func checkSampleCounts(evals []aggRun) error {
	type scope struct{ dataset, method string } // method "" = all sampling methods
	users := map[scope]map[int64][]string{}
	for _, rv := range evals {
		sc := scope{rv.dataset, ""}
		if m, ok := LookupMethod(rv.method); ok && m.Point {
			sc.method = rv.method
		}
		if users[sc] == nil {
			users[sc] = map[int64][]string{}
		}
		for _, m := range rv.m {
			list := users[sc][m]
			label := fmt.Sprintf("%s (%s)", rv.stage, rv.method)
			if len(list) == 0 || list[len(list)-1] != label {
				users[sc][m] = append(list, label)
			}
		}
	}
	scopes := make([]scope, 0, len(users))
	for sc := range users {
		scopes = append(scopes, sc)
	}
	sort.Slice(scopes, func(i, j int) bool {
		return scopes[i].dataset+"\x00"+scopes[i].method < scopes[j].dataset+"\x00"+scopes[j].method
	})
	for _, sc := range scopes {
		byM := users[sc]
		if len(byM) < 2 {
			continue
		}
		what := "the sampling methods of dataset " + strconv.Quote(sc.dataset)
		if sc.method != "" {
			what = fmt.Sprintf("the seeds of method %q on dataset %q", sc.method, sc.dataset)
		}
		return fmt.Errorf("%w: %s are evaluated with different numbers of samples M (every method of a task must use the same M; set the evaluate stages' samples param alike): %s",
			ErrInconsistentRuns, what, describeSampleCounts(byM))
	}
	return nil
}

// describeSampleCounts lists, per M, up to four stages that used it.
func describeSampleCounts(byM map[int64][]string) string {
	ms := make([]int64, 0, len(byM))
	for m := range byM {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	parts := make([]string, len(ms))
	for i, m := range ms {
		stages := byM[m]
		shown := stages
		if len(shown) > 4 {
			shown = shown[:4]
		}
		parts[i] = fmt.Sprintf("M=%d in %s", m, strings.Join(shown, ", "))
		if extra := len(stages) - len(shown); extra > 0 {
			parts[i] += fmt.Sprintf(" and %d more", extra)
		}
	}
	return strings.Join(parts, "; ")
}

// checkStatsConfig fails when a stats record contradicts its method label
// (say "diffusion-sf-is" trained with uniform timesteps, which would put
// the run in the wrong Table 2 row), or when the seeds of one (dataset,
// method) report different estimator configurations.
func checkStatsConfig(stats []aggRun) error {
	type key struct{ dataset, method string }
	first := map[key]aggRun{}
	for _, rv := range stats {
		if m, ok := LookupMethod(rv.method); ok {
			c := rv.config
			if m.Estimator != "" && c.estimator != "" && c.estimator != m.Estimator {
				return fmt.Errorf("%w: stage %s: method %q uses estimator %q, but its stats report estimator %q",
					ErrInconsistentRuns, rv.stage, rv.method, m.Estimator, c.estimator)
			}
			if m.Timesteps != "" && c.timesteps != "" && c.timesteps != m.Timesteps {
				return fmt.Errorf("%w: stage %s: method %q samples %s timesteps, but its stats report timesteps %q",
					ErrInconsistentRuns, rv.stage, rv.method, m.Timesteps, c.timesteps)
			}
		}
		k := key{rv.dataset, rv.method}
		prev, ok := first[k]
		if !ok {
			first[k] = rv
			continue
		}
		if prev.config != rv.config {
			return fmt.Errorf("%w: method %q on dataset %q: stage %s reports %s but stage %s reports %s",
				ErrInconsistentRuns, rv.method, rv.dataset, prev.stage, prev.config, rv.stage, rv.config)
		}
	}
	return nil
}

// String formats a configuration for error messages.
func (c aggConfig) String() string {
	return fmt.Sprintf("estimator=%q timesteps=%q K=%q steps_S=%q", c.estimator, c.timesteps, c.k, c.stepsS)
}
