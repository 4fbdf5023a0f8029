package model

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// roundTrip marshals a record to bytes and back, checks that re-marshalling
// the rebuilt model gives the same bytes, and returns the decoded record.
func roundTrip(t *testing.T, record func() (arrow.Record, error)) ([]byte, arrow.Record) {
	t.Helper()
	rec, err := record()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	back, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return b, back
}

func sameBytes(t *testing.T, what string, want []byte, record func() (arrow.Record, error)) {
	t.Helper()
	rec, err := record()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s: re-serialized bytes differ", what)
	}
}

func sameParams(t *testing.T, what string, a, b []*nn.Param) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d parameters", what, len(a), len(b))
	}
	for i := range a {
		for k, v := range a[i].W.Data {
			if v != b[i].W.Data[k] {
				t.Fatalf("%s: parameter %s element %d differs", what, a[i].Name, k)
			}
		}
	}
}

func TestPredictorRoundTrips(t *testing.T) {
	g, _ := NewGaussian(GaussianConfig{XDim: 4, YDim: 3, Hidden: []int{8, 6}}, newRNG(1))
	b, rec := roundTrip(t, g.Record)
	g2, err := GaussianFromRecord(rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, "Gaussian", g.Params(), g2.Params())
	sameBytes(t, "Gaussian", b, g2.Record)

	for _, cfg := range []PointConfig{{XDim: 4, YDim: 3, Hidden: []int{5}}, {XDim: 4, YDim: 3, BiasOnly: true}} {
		p, _ := NewPoint(cfg, newRNG(2))
		p.Params()[0].W.Data[0] = 0.25
		b, rec := roundTrip(t, p.Record)
		p2, err := PointFromRecord(rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		sameParams(t, "point", p.Params(), p2.Params())
		sameBytes(t, "point", b, p2.Record)
		if p2.Config.BiasOnly != cfg.BiasOnly {
			t.Errorf("point BiasOnly %v after round trip, want %v", p2.Config.BiasOnly, cfg.BiasOnly)
		}
	}

	pol, _ := NewPolicy(PolicyConfig{XDim: 4, ZDim: 3, Hidden: []int{5, 5}, Output: OutputSoftmax}, newRNG(3))
	b, rec = roundTrip(t, pol.Record)
	pol2, err := PolicyFromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, "policy", pol.Params(), pol2.Params())
	sameBytes(t, "policy", b, pol2.Record)
	if _, err := GaussianFromRecord(rec); !errors.Is(err, ErrFormat) {
		t.Errorf("policy record loaded as Gaussian: error %v, want ErrFormat", err)
	}
	rec.Release()
}

func TestDiffusionRoundTrip(t *testing.T) {
	sched, _ := CosineSchedule(200)
	d := NewDiffusion(nn.NewDenoiser(nn.DenoiserConfig{YDim: 3, XDim: 2, Hidden: 8, Blocks: 2}, newRNG(1)), sched)
	b, rec := roundTrip(t, d.Record)
	d2, err := DiffusionFromRecord(rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	if d2.Sched.Config != sched.Config || d2.Sched.AlphaBar[123] != sched.AlphaBar[123] {
		t.Errorf("schedule %+v after round trip, want %+v", d2.Sched.Config, sched.Config)
	}
	sameParams(t, "diffusion", d.Net.Params(), d2.Net.Params())
	sameBytes(t, "diffusion", b, d2.Record)
	if _, err := NewDiffusion(newFakeNet(3, 2, 4, newRNG(1)), sched).Record(); !errors.Is(err, ErrFormat) {
		t.Errorf("serializing a non-Denoiser network: error %v, want ErrFormat", err)
	}
}
