package fingerprint_test

import (
	"testing"

	pipe "github.com/diffusion-dfl/pipe"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
	"github.com/diffusion-dfl/pipe/stages"
)

// TestReachListPassesStalenessCheck fingerprints every built-in kind from
// the committed reach list and the embedded sources: the run-time check
// must find the list current (a false alarm would make every kind fall
// back to the name walk and rerun needlessly).
func TestReachListPassesStalenessCheck(t *testing.T) {
	reg := pipeline.NewRegistry()
	if err := stages.Register(reg); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	f, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources(), Reach: pipe.Reach(),
		Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range reg.Kinds() {
		if _, err := f.Fingerprint(k); err != nil {
			t.Fatal(err)
		}
	}
	if len(warnings) > 0 {
		t.Fatalf("the committed reach list is reported stale: %s", warnings[0])
	}
}

// BenchmarkFingerprintAllKindsCold is what a cold fingerprint cache costs a
// run: parse the embedded sources, check every kind's reach list for
// staleness and hash what it lists.
func BenchmarkFingerprintAllKindsCold(b *testing.B) {
	reg := pipeline.NewRegistry()
	if err := stages.Register(reg); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		f, err := fingerprint.New(fingerprint.Config{Sources: pipe.Sources(), Reach: pipe.Reach(),
			Warn: func(m string) { b.Fatal(m) }})
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range reg.Kinds() {
			if _, err := f.Fingerprint(k); err != nil {
				b.Fatal(err)
			}
		}
	}
}
