package arrowtab_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// BenchmarkMarshalUnmarshal encodes and decodes a 10,000 × 24 float64
// table (the size of a power dataset split), the round trip every stage
// output and input makes.
func BenchmarkMarshalUnmarshal(b *testing.B) {
	m := mat.NewDense(10000, 24, nil)
	for i := range 10000 {
		for j := range 24 {
			m.Set(i, j, float64(i*24+j))
		}
	}
	rec, err := arrowtab.DenseRecord(m, nil, map[string]string{arrowtab.MetaKind: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer rec.Release()
	b.ReportAllocs()
	for b.Loop() {
		buf, err := arrowtab.Marshal(rec)
		if err != nil {
			b.Fatal(err)
		}
		back, err := arrowtab.Unmarshal(buf)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := arrowtab.RecordDense(back); err != nil {
			b.Fatal(err)
		}
		back.Release()
		b.SetBytes(int64(len(buf)))
	}
}
