package pipecmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartCPUProfile(t *testing.T) {
	dir := t.TempDir()
	if _, err := startCPUProfile(filepath.Join(dir, "missing", "cpu.prof")); err == nil || !strings.Contains(err.Error(), "--cpuprofile") {
		t.Fatalf("profile in a missing directory: err = %v, want one naming --cpuprofile", err)
	}
	path := filepath.Join(dir, "cpu.prof")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	x := 0.0
	for i := range 20_000_000 {
		x += float64(i % 7)
	}
	stop()
	st, err := os.Stat(path)
	if err != nil || st.Size() == 0 {
		t.Fatalf("profile %s: %v, size %v (work %g)", path, err, st, x)
	}
}
