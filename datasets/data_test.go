package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the shared data directory: $PIPE_TEST_DATA, or
// ../../shared/data relative to this package. The test is skipped, with the
// reason, only when neither exists.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PIPE_TEST_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data directory %s is absent (set PIPE_TEST_DATA): %v", dir, err)
	}
	return dir
}
