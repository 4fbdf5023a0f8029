package arrowtab_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// TestNoLeaks builds, encodes, decodes, filters and renders tables through a
// checked allocator and asserts that every buffer was released, in the
// manner of arrow-go's own tests. It fails if a function forgets a Release
// or allocates from the default allocator behind the caller's back.
func TestNoLeaks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opt := arrowtab.WithAllocator(mem)

	rec, err := arrowtab.NewBuilder(opt).String("s", []string{"a", "b", "c"}).
		Float64("x", []float64{1, 2, 3}).Int64("n", []int64{4, 5, 6}).
		Float32("f", []float32{0.5, 1, 1.5}).Bool("ok", []bool{true, false, true}).
		Record(map[string]string{arrowtab.MetaKind: "test.leak"})
	if err != nil {
		t.Fatal(err)
	}
	if mem.CurrentAlloc() == 0 {
		t.Fatal("builder did not allocate from the given allocator")
	}
	b, err := arrowtab.Marshal(rec, opt)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	back, err := arrowtab.Unmarshal(b, opt)
	if err != nil {
		t.Fatal(err)
	}
	if mem.CurrentAlloc() == 0 {
		t.Fatal("Unmarshal did not allocate from the given allocator")
	}
	back.Release()
	if _, err := arrowtab.WithoutColumns(b, []string{"x"}, opt); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"csv", "md", "json"} {
		if _, err := arrowtab.Render(b, f, opt); err != nil {
			t.Fatal(err)
		}
	}
	m := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	dr, err := arrowtab.DenseRecord(m, nil, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	dr.Release()
	if _, err := arrowtab.NewBuilder(opt).Float64("a", []float64{1}).Float64("b", []float64{1, 2}).Record(nil); err == nil {
		t.Fatal("ragged columns accepted")
	}
}

// TestUnmarshalBatchesNoLeaks decodes a file of three record batches (which
// Unmarshal concatenates) through a checked allocator: each batch must stay
// valid while the next is read, and all of them must be released.
func TestUnmarshalBatchesNoLeaks(t *testing.T) {
	b := threeBatches(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, err := arrowtab.Unmarshal(b, arrowtab.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	got, err := arrowtab.Float64s(rec, "x")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 1, 10, 11, 20, 21}
	if len(got) != len(want) {
		t.Fatalf("x = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("x = %v, want %v", got, want)
		}
	}
}

// threeBatches writes an IPC file of three two-row batches of column x.
func threeBatches(t *testing.T) []byte {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	f, err := os.Create(filepath.Join(t.TempDir(), "batches.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		bld := array.NewFloat64Builder(memory.DefaultAllocator)
		bld.AppendValues([]float64{float64(10 * k), float64(10*k + 1)}, nil)
		arr := bld.NewArray()
		rec := array.NewRecord(schema, []arrow.Array{arr}, 2)
		err := w.Write(rec)
		rec.Release()
		arr.Release()
		bld.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
