package pipeline_test

import (
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

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
