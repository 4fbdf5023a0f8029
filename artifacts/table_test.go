package artifacts

import (
	"bytes"
	"errors"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestMarshalDeterministicRoundTrip(t *testing.T) {
	m := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6.5})
	meta := map[string]string{MetaKind: "test.matrix", "b": "2", "a": "1"}
	rec, err := DenseRecord(m, []string{"x", "y"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b1, err := Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	rec2, err := DenseRecord(m, []string{"x", "y"}, map[string]string{"a": "1", MetaKind: "test.matrix", "b": "2"})
	if err != nil {
		t.Fatal(err)
	}
	defer rec2.Release()
	b2, err := Marshal(rec2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatal("equal data gave different IPC bytes")
	}
	back, err := Unmarshal(b1)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	got, err := RecordDense(back)
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got, m) {
		t.Fatalf("round trip: got %v want %v", mat.Formatted(got), mat.Formatted(m))
	}
	if k, _ := Meta(back, MetaKind); k != "test.matrix" {
		t.Fatalf("meta kind %q", k)
	}
}

func TestBuilderColumnsAndErrors(t *testing.T) {
	rec, err := NewBuilder().String("name", []string{"a", "b"}).Int64("n", []int64{1, 2}).Float32("f", []float32{0.5, 1.5}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if s, _ := Strings(rec, "name"); s[1] != "b" {
		t.Fatalf("strings %v", s)
	}
	if _, err := Float64s(rec, "name"); !errors.Is(err, ErrSchema) {
		t.Fatalf("want ErrSchema, got %v", err)
	}
	if _, err := Int64s(rec, "missing"); !errors.Is(err, ErrSchema) {
		t.Fatalf("want ErrSchema, got %v", err)
	}
	if _, err := NewBuilder().Float64("a", []float64{1}).Float64("b", []float64{1, 2}).Record(nil); !errors.Is(err, ErrSchema) {
		t.Fatalf("ragged columns: want ErrSchema, got %v", err)
	}
}
