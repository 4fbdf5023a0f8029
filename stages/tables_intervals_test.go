package stages

import (
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// TestTable1Intervals checks the properties of Table 1's extra columns the
// golden file encodes: every test row with units has an interval around
// its mean; the DFL row whose seeds all kept epoch 0 is marked and says
// why; the paired column names the best baseline (lowest loss, highest
// return) with the right sign and verdict.
func TestTable1Intervals(t *testing.T) {
	t1, t2 := runTables(t, nil)
	defer t1.Release()
	defer t2.Release()
	str := func(name string) []string {
		v, err := arrowtab.Strings(t1, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	datasets, methods, epochs, vs, notes := str("dataset"), str("method"), str("best epochs"), str("vs best baseline"), str("note")
	mean, err := nullableFloats(t1, "mean")
	if err != nil {
		t.Fatal(err)
	}
	lo, _ := nullableFloats(t1, "ci_low")
	hi, _ := nullableFloats(t1, "ci_high")
	diff, _ := nullableFloats(t1, "diff")
	row := map[string]int{}
	for i := range methods {
		row[datasets[i]+"/"+methods[i]] = i
		if !(lo[i] <= mean[i] && mean[i] <= hi[i]) {
			t.Errorf("%s/%s: mean %g outside its interval [%g, %g]", datasets[i], methods[i], mean[i], lo[i], hi[i])
		}
	}
	det := row["synthetic/deterministic"]
	if epochs[det] != "0/0/0"+startModelMark || !strings.Contains(notes[det], "kept its starting model") {
		t.Errorf("deterministic kept epoch 0: best epochs %q, note %q", epochs[det], notes[det])
	}
	if sf := row["power/diffusion-sf"]; epochs[sf] != "3/4/5" || strings.Contains(notes[sf], "starting model") {
		t.Errorf("power diffusion-sf: best epochs %q, note %q", epochs[sf], notes[sf])
	}
	for _, c := range []struct {
		row, baseline, verdict string
		negative               bool
	}{
		{"synthetic/diffusion-sf", "policy", verdictBetter, true},         // 0.372 vs policy 0.617 (two-stage-mlp 1.99)
		{"synthetic/gaussian-sf", "policy", verdictWorse, false},          // 1.08 vs 0.617
		{"power/diffusion-rp", "two-stage-gaussian", verdictBetter, true}, // 3.18 vs 5.93
		{"portfolio/diffusion-sf", "two-stage-diffusion", "", false},      // return 0.047 vs 0.045: higher is better
	} {
		i := row[c.row]
		if !strings.Contains(vs[i], "vs "+c.baseline) || !strings.HasSuffix(vs[i], c.verdict) || (diff[i] < 0) != c.negative {
			t.Errorf("%s: vs best baseline %q, diff %g; want baseline %s, verdict %q, negative %v", c.row, vs[i], diff[i], c.baseline, c.verdict, c.negative)
		}
	}
	if vs[row["synthetic/policy"]] != "best baseline" || vs[row["synthetic/two-stage-mlp"]] != noValue {
		t.Errorf("baseline rows: policy %q, two-stage-mlp %q", vs[row["synthetic/policy"]], vs[row["synthetic/two-stage-mlp"]])
	}
}
