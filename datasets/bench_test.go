package datasets

import (
	"context"
	"testing"
)

// BenchmarkLoadSP500 measures the full S&P ingestion: the 224 price files
// read and checked, features computed (for the 50 chosen tickers in the
// date-major layout, for all 224 in the legacy one), laid out and
// standardised.
func BenchmarkLoadSP500(b *testing.B) {
	dir := sharedData(b)
	for _, layout := range []Layout{LayoutDateMajor, LayoutLegacy} {
		b.Run(string(layout), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := LoadSP500(context.Background(), dir, SP500Options{AssetSeed: 2, Layout: layout}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadPJM measures both PJM files parsed, pivoted and featurized.
func BenchmarkLoadPJM(b *testing.B) {
	dir := sharedData(b)
	for i := 0; i < b.N; i++ {
		if _, err := LoadPJM(dir, PJMOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStockFeatures measures the features of one ticker (3273 closes).
func BenchmarkStockFeatures(b *testing.B) {
	p := make([]float64, 3273)
	for i := range p {
		p[i] = 50 + 10*float64(i%97)/97 + float64(i)/100
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stockFeatures(p)
	}
}
