package arrowtab_test

import (
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

func TestRender(t *testing.T) {
	rec, err := arrowtab.NewBuilder().String("method", []string{"mse", "a|b"}).
		Float64("regret", []float64{0.125, 1e-7}).Int64("n", []int64{3, 40}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ipc, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"md":   "| method | regret | n |\n|---|---:|---:|\n| mse | 0.125 | 3 |\n| a\\|b | 1e-07 | 40 |\n",
		"csv":  "method,regret,n\nmse,0.125,3\na|b,1e-07,40\n",
		"json": "[\n  {\"method\": \"mse\", \"regret\": 0.125, \"n\": 3},\n  {\"method\": \"a|b\", \"regret\": 1e-07, \"n\": 40}\n]\n",
	}
	for format, want := range cases {
		got, err := arrowtab.Render(ipc, format)
		if err != nil || string(got) != want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", format, got, err, want)
		}
	}
	if got, err := arrowtab.Render(ipc, "arrow"); err != nil || string(got) != string(ipc) {
		t.Errorf("arrow export changed the bytes (%v)", err)
	}
	if _, err := arrowtab.Render([]byte("a,b\n"), "md"); err == nil || !strings.Contains(err.Error(), "format raw") {
		t.Errorf("md of a non-Arrow file: %v", err)
	}
	if got, err := arrowtab.Render([]byte("a,b\n"), "raw"); err != nil || string(got) != "a,b\n" {
		t.Errorf("raw: %q %v", got, err)
	}
	if _, err := arrowtab.Render(ipc, "xlsx"); err == nil || !strings.Contains(err.Error(), "xlsx") {
		t.Errorf("unknown format: %v", err)
	}
}
