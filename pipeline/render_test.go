package pipeline_test

import (
	"math"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

func TestRender(t *testing.T) {
	rec, err := artifacts.NewBuilder().String("method", []string{"mse", "a|b"}).
		Float64("regret", []float64{0.125, 1e-7}).Int64("n", []int64{3, 40}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ipc, err := artifacts.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"md":   "| method | regret | n |\n|---|---:|---:|\n| mse | 0.125 | 3 |\n| a\\|b | 1e-07 | 40 |\n",
		"csv":  "method,regret,n\nmse,0.125,3\na|b,1e-07,40\n",
		"json": "[\n  {\"method\": \"mse\", \"regret\": 0.125, \"n\": 3},\n  {\"method\": \"a|b\", \"regret\": 1e-07, \"n\": 40}\n]\n",
	}
	for format, want := range cases {
		got, err := pipeline.Render(ipc, format)
		if err != nil || string(got) != want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", format, got, err, want)
		}
	}
	if got, err := pipeline.Render(ipc, "arrow"); err != nil || string(got) != string(ipc) {
		t.Errorf("arrow export changed the bytes (%v)", err)
	}
	if _, err := pipeline.Render([]byte("a,b\n"), "md"); err == nil || !strings.Contains(err.Error(), "format raw") {
		t.Errorf("md of a non-Arrow file: %v", err)
	}
	if got, err := pipeline.Render([]byte("a,b\n"), "raw"); err != nil || string(got) != "a,b\n" {
		t.Errorf("raw: %q %v", got, err)
	}
}

func TestCanonical(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{pipeline.Params{"b": 1, "a": 1.0, "c": []any{"x<y", 2.5e-7, true, nil}}, `{"a":1.0,"b":1,"c":["x<y",2.5e-07,true,null]}`},
		{map[string]any{"z": map[string]any{"y": 1e21, "x": math.Copysign(0, -1)}}, `{"z":{"x":-0.0,"y":1e+21}}`},
		{[]string{"é", "\n"}, `["é","\n"]`},
	}
	for _, c := range cases {
		got, err := pipeline.Canonical(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("Canonical(%v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

// TestKeyParts checks what enters a key: every part changes it, and the
// order of map entries does not.
func TestKeyParts(t *testing.T) {
	d1 := artifacts.DigestOf([]byte("1"))
	d2 := artifacts.DigestOf([]byte("2"))
	base := func() *pipeline.KeyParts {
		return &pipeline.KeyParts{Kind: "train", Fingerprint: "f", Params: pipeline.Params{"lr": 1e-3, "seed": 1},
			Inputs: map[string]artifacts.Digest{"data": d1}, Files: map[string]artifacts.Digest{"pjm": d1}, Outputs: []string{"model", "log"}}
	}
	k0, params, err := base().Key()
	if err != nil || string(params) != `{"lr":0.001,"seed":1}` {
		t.Fatalf("key: %v, params %s", err, params)
	}
	mutations := map[string]func(*pipeline.KeyParts){
		"kind":         func(k *pipeline.KeyParts) { k.Kind = "eval" },
		"fingerprint":  func(k *pipeline.KeyParts) { k.Fingerprint = "g" },
		"param value":  func(k *pipeline.KeyParts) { k.Params["lr"] = 2e-3 },
		"int vs float": func(k *pipeline.KeyParts) { k.Params["seed"] = 1.0 },
		"input digest": func(k *pipeline.KeyParts) { k.Inputs["data"] = d2 },
		"input name":   func(k *pipeline.KeyParts) { k.Inputs = map[string]artifacts.Digest{"other": d1} },
		"file digest":  func(k *pipeline.KeyParts) { k.Files["pjm"] = d2 },
		"outputs":      func(k *pipeline.KeyParts) { k.Outputs = []string{"model"} },
	}
	for name, m := range mutations {
		kp := base()
		m(kp)
		if k, _, _ := kp.Key(); k == k0 {
			t.Errorf("changing the %s left the key unchanged", name)
		}
	}
	kp := base()
	kp.Outputs = []string{"log", "model"}
	if k, _, _ := kp.Key(); k != k0 {
		t.Error("output order changed the key")
	}
}
