package datasets

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// roundTrip writes d as Arrow IPC bytes and reads it back.
func roundTrip(t *testing.T, d *Dataset) (*Dataset, []byte) {
	t.Helper()
	rec, err := d.Record()
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	rec2, err := arrowtab.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	defer rec2.Release()
	got, err := FromRecord(rec2)
	if err != nil {
		t.Fatal(err)
	}
	return got, b
}

// sameBits reports whether two float slices are bit-identical (NaN included).
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// TestRecordRoundTrip checks that every loader's dataset survives Arrow
// bit-exactly, and that writing it again gives the same bytes (digest).
func TestRecordRoundTrip(t *testing.T) {
	dir := sharedData(t)
	syn, err := Synthetic(SyntheticOptions{N: 300, Context: 2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	syn.Warnings = []string{"a warning"}
	syn.X.Set(3, 4, math.Copysign(0, -1)) // −0 must stay −0
	power, err := LoadPJM(dir, PJMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	port, err := LoadSP500(context.Background(), dir, SP500Options{NAssets: 10, Layout: LayoutLegacy})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*Dataset{syn, power, port} {
		got, b := roundTrip(t, d)
		if !sameBits(got.X.RawMatrix().Data, d.X.RawMatrix().Data) || !sameBits(got.Y.RawMatrix().Data, d.Y.RawMatrix().Data) {
			t.Errorf("%s: values changed", d.Name)
		}
		if got.Name != d.Name || !reflect.DeepEqual(got.XNames, d.XNames) || !reflect.DeepEqual(got.YNames, d.YNames) ||
			!reflect.DeepEqual(got.RowID, d.RowID) || !reflect.DeepEqual(got.Split, d.Split) ||
			!reflect.DeepEqual(got.Meta, d.Meta) || !reflect.DeepEqual(got.Warnings, d.Warnings) {
			t.Errorf("%s: fields changed", d.Name)
		}
		if _, b2 := roundTrip(t, got); !bytes.Equal(b, b2) {
			t.Errorf("%s: second write gives other bytes", d.Name)
		}
		rec, _ := d.Record()
		if kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind); kind != "dataset."+d.Name {
			t.Errorf("kind %q", kind)
		}
		rec.Release()
	}
}

func TestRecordErrors(t *testing.T) {
	d, err := Synthetic(SyntheticOptions{N: 50}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	d.Meta[arrowtab.MetaKind] = "x"
	if _, err := d.Record(); !errors.Is(err, arrowtab.ErrSchema) {
		t.Errorf("reserved meta key: err = %v", err)
	}
	rec, err := arrowtab.NewBuilder().Float64("c", []float64{1}).Record(map[string]string{arrowtab.MetaKind: "model.params"})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if _, err := FromRecord(rec); !errors.Is(err, arrowtab.ErrSchema) {
		t.Errorf("not a dataset: err = %v", err)
	}
}

func TestSubsetAndHindsight(t *testing.T) {
	d, err := Synthetic(SyntheticOptions{N: 100}, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	te := d.Subset(Test)
	if te.Len() != 20 || te.RowID[0] != "80" || te.X.At(0, 0) != d.X.At(80, 0) {
		t.Errorf("test subset: %d rows from %s", te.Len(), te.RowID[0])
	}
	// Rows [1 3 2] and [−1 0 4]: oracle (3 + 4)/2, equal weight (2 + 1)/2.
	h := &Dataset{Name: "t", X: d.X.Slice(0, 2, 0, 1).(*mat.Dense), Y: mat.NewDense(2, 3, []float64{1, 3, 2, -1, 0, 4}),
		XNames: []string{"x"}, YNames: []string{"a", "b", "c"}, RowID: []string{"0", "1"}, Split: []Split{Test, Test}}
	if o, e := Hindsight(h, Test); o != 3.5 || e != 1.5 {
		t.Errorf("oracle %v, equal weight %v; want 3.5, 1.5", o, e)
	}
}
