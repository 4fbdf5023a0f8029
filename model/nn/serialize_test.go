package nn

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// marshal encodes rec as Arrow IPC bytes and releases it.
func marshal(t *testing.T, rec arrow.Record) []byte {
	t.Helper()
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDenoiserRecordRoundTrip(t *testing.T) {
	d := NewDenoiser(DenoiserConfig{YDim: 24, XDim: 149, Hidden: 64, Blocks: 3}, rand.New(rand.NewPCG(13, 0)))
	d.Out.Bias.W.Data[0] = float32(math.Float32frombits(1)) // a subnormal survives bit-exactly
	rec, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	b := marshal(t, rec)
	back, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if kind, _ := arrowtab.Meta(back, arrowtab.MetaKind); kind != ParamsKind {
		t.Errorf("kind %q", kind)
	}
	d2, err := DenoiserFromRecord(back)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Config() != d.Config() {
		t.Errorf("config %+v, want %+v", d2.Config(), d.Config())
	}
	for i, p := range d.Params() {
		q := d2.Params()[i]
		if p.Name != q.Name || sameBits(p.W.Data, q.W.Data) >= 0 {
			t.Fatalf("parameter %s not restored bit-exactly", p.Name)
		}
	}
	rec2, err := d2.Record()
	if err != nil {
		t.Fatal(err)
	}
	b2 := marshal(t, rec2)
	if !bytes.Equal(b, b2) {
		t.Error("re-serialized bytes differ")
	}
	// The rebuilt network computes the same function.
	rng := rand.New(rand.NewPCG(14, 0))
	yt, steps, x := denoiserInputs(rng, d, 20, 1000)
	if i := sameBits(d.Forward(yt, steps, x, nil).Data, d2.Forward(yt, steps, x, nil).Data); i >= 0 {
		t.Errorf("outputs differ at %d", i)
	}
}

func TestLoadParamsRejectsWrongShape(t *testing.T) {
	d := NewDenoiser(DenoiserConfig{YDim: 3, XDim: 4, Hidden: 8, Blocks: 2}, rand.New(rand.NewPCG(15, 0)))
	rec, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	for _, cfg := range []DenoiserConfig{
		{YDim: 3, XDim: 4, Hidden: 9, Blocks: 2},
		{YDim: 3, XDim: 5, Hidden: 8, Blocks: 2},
		{YDim: 3, XDim: 4, Hidden: 8, Blocks: 3},
	} {
		other := NewDenoiser(cfg, rand.New(rand.NewPCG(15, 1)))
		before := paramValues(other.Params())
		err := LoadParams(rec, other.Params())
		if !errors.Is(err, ErrShape) {
			t.Errorf("%+v: error %v, want ErrShape", cfg, err)
		}
		if sameBits(before, paramValues(other.Params())) >= 0 {
			t.Error("failed load modified the network")
		}
	}
	mlp := NewMLP(MLPConfig{Sizes: []int{3, 4}, Act: ActReLU}, rand.New(rand.NewPCG(1, 1)))
	if _, err := MLPFromRecord(rec); !errors.Is(err, ErrFormat) {
		t.Errorf("denoiser record read as MLP: %v, want ErrFormat", err)
	}
	other, err := mlp.Record()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	if _, err := DenoiserFromRecord(other); !errors.Is(err, ErrFormat) {
		t.Errorf("MLP record read as denoiser: %v, want ErrFormat", err)
	}
	plain, err := arrowtab.NewBuilder().Float32(ValueColumn, []float32{1}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Release()
	if err := LoadParams(plain, mlp.Params()); !errors.Is(err, ErrFormat) {
		t.Errorf("record without kind: %v, want ErrFormat", err)
	}
}

func TestMLPRecordRoundTrip(t *testing.T) {
	m := NewMLP(MLPConfig{Sizes: []int{5, 7, 2}, Act: ActSiLU, LayerNorm: true}, rand.New(rand.NewPCG(16, 0)))
	rec, err := m.Record()
	if err != nil {
		t.Fatal(err)
	}
	b := marshal(t, rec)
	back, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	m2, err := MLPFromRecord(back)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Config.Act != ActSiLU || !m2.Config.LayerNorm || len(m2.Config.Sizes) != 3 {
		t.Errorf("config %+v", m2.Config)
	}
	a, b2 := paramValues(m.Params()), paramValues(m2.Params())
	if sameBits(a, b2) >= 0 {
		t.Error("MLP parameters not restored bit-exactly")
	}
}

// paramValues concatenates the parameters' values.
func paramValues(ps []*Param) []float32 {
	var v []float32
	for _, p := range ps {
		v = append(v, p.W.Data...)
	}
	return v
}
