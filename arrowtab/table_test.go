package arrowtab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
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

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// marshalFixture builds a record with every column type the stages use,
// values that stress encoders (NaN, signed zero, infinities, extreme
// integers, empty and multi-byte strings) and metadata from a map, whose
// iteration order differs from run to run.
func marshalFixture(t *testing.T) arrow.Record {
	t.Helper()
	meta := map[string]string{MetaKind: "test.fixture", "seed": "42", "z": "last", "a": "first", "unit": "MW"}
	for i := range 20 {
		meta[fmt.Sprintf("k%02d", i)] = fmt.Sprint(i * i)
	}
	rec, err := NewBuilder().
		Float64("f64", []float64{0, math.Copysign(0, -1), 1.5, math.Inf(1), math.NaN(), 5e-324, -math.MaxFloat64}).
		Float32("f32", []float32{0, -1.25, float32(math.Inf(-1)), float32(math.NaN()), math.SmallestNonzeroFloat32, 3.4e38, 7}).
		Int64("i64", []int64{math.MinInt64, -1, 0, 1, math.MaxInt64, 42, 7}).
		String("s", []string{"", "a", "é€😀", "with,comma", "line\nbreak", `quote"`, "x"}).
		Record(meta)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestMarshalByteIdentical checks that Marshal gives the same bytes for the
// same data every time: records built afresh, the same record twice, a
// record decoded from Marshal's own output, and across processes and
// machines (the digest of the bytes is pinned in a golden file).
func TestMarshalByteIdentical(t *testing.T) {
	first := marshalOnce(t)
	for i := range 10 {
		if b := marshalOnce(t); !bytes.Equal(b, first) {
			t.Fatalf("run %d: Marshal gave different bytes (%d vs %d)", i, len(b), len(first))
		}
	}
	rec := marshalFixture(t)
	defer rec.Release()
	again, err := Marshal(rec)
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("same record marshaled twice differs (err %v)", err)
	}
	back, err := Unmarshal(first)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if b, err := Marshal(back); err != nil || !bytes.Equal(b, first) {
		t.Fatalf("Marshal(Unmarshal(b)) != b (err %v)", err)
	}
	checkFixtureValues(t, back)

	golden := filepath.Join("testdata", "marshal_fixture.sha256")
	got := sha256Hex(first) + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("Marshal bytes changed: digest %s, golden %s", got, want)
	}
}

func marshalOnce(t *testing.T) []byte {
	t.Helper()
	rec := marshalFixture(t)
	defer rec.Release()
	b, err := Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkFixtureValues compares decoded columns bit for bit with the fixture.
func checkFixtureValues(t *testing.T, got arrow.Record) {
	t.Helper()
	want := marshalFixture(t)
	defer want.Release()
	wf, _ := Float64s(want, "f64")
	gf, err := Float64s(got, "f64")
	if err != nil || len(gf) != len(wf) {
		t.Fatalf("f64: %v", err)
	}
	for i := range wf {
		if math.Float64bits(gf[i]) != math.Float64bits(wf[i]) {
			t.Errorf("f64[%d] = %v, want %v", i, gf[i], wf[i])
		}
	}
	w32, _ := Float32s(want, "f32")
	g32, err := Float32s(got, "f32")
	if err != nil || len(g32) != len(w32) {
		t.Fatalf("f32: %v", err)
	}
	for i := range w32 {
		if math.Float32bits(g32[i]) != math.Float32bits(w32[i]) {
			t.Errorf("f32[%d] = %v, want %v", i, g32[i], w32[i])
		}
	}
	wi, _ := Int64s(want, "i64")
	if gi, err := Int64s(got, "i64"); err != nil || !slices.Equal(gi, wi) {
		t.Errorf("i64 = %v (%v), want %v", gi, err, wi)
	}
	ws, _ := Strings(want, "s")
	if gs, err := Strings(got, "s"); err != nil || !slices.Equal(gs, ws) {
		t.Errorf("s = %q (%v), want %q", gs, err, ws)
	}
	if !got.Schema().Metadata().Equal(want.Schema().Metadata()) {
		t.Errorf("metadata = %v, want %v", got.Schema().Metadata(), want.Schema().Metadata())
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
