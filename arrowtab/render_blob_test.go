package arrowtab_test

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// blobIPC is a one-row table with one binary column holding b.
func blobIPC(t *testing.T, b []byte, rows int) []byte {
	t.Helper()
	bld := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
	defer bld.Release()
	for range rows {
		bld.Append(b)
	}
	arr := bld.NewArray()
	defer arr.Release()
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "png", Type: arrow.BinaryTypes.Binary}}, nil), []arrow.Array{arr}, int64(rows))
	defer rec.Release()
	ipc, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return ipc
}

func TestRenderBlob(t *testing.T) {
	want := []byte("\x89PNG\r\n\x1a\nnot really")
	got, err := arrowtab.Render(blobIPC(t, want, 1), "blob")
	if err != nil || string(got) != string(want) {
		t.Errorf("blob: %q, %v; want %q", got, err, want)
	}
	if _, err := arrowtab.Render(blobIPC(t, want, 2), "blob"); err == nil || !strings.Contains(err.Error(), "one row") {
		t.Errorf("two rows: err %v, want 'one row'", err)
	}
	num, err := arrowtab.NewBuilder().Float64("x", []float64{1}).Record(nil)
	if err != nil {
		t.Fatal(err)
	}
	ipc, _ := arrowtab.Marshal(num)
	if _, err := arrowtab.Render(ipc, "blob"); err == nil || !strings.Contains(err.Error(), "binary or string") {
		t.Errorf("float column: err %v, want 'binary or string'", err)
	}
}
