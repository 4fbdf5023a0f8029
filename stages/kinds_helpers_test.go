package stages

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/pipeline"
)

// TestMain installs the BLAS chosen by PIPE_BLAS (OpenBLAS when it loads),
// as the pipe command does, so the training tests run at the speed users see.
func TestMain(m *testing.M) {
	if _, err := openblas.UseFromEnv(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// sharedData is the project's data directory (tests never download).
const sharedData = "/work/shared/data"

// dataDirForTest returns $PIPE_DATA_DIR or the shared data directory, and
// skips the test when neither holds the file rel.
func dataDirForTest(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("PIPE_DATA_DIR")
	if dir == "" {
		dir = sharedData
	}
	if _, err := os.Stat(filepath.Join(dir, rel)); err != nil {
		t.Skipf("data file %s not found under %s", rel, dir)
	}
	return dir
}

// logReporter is a pipeline.Reporter that keeps log lines and progress
// calls for assertions.
type logReporter struct {
	mu       sync.Mutex
	lines    []string
	progress []string
}

func (l *logReporter) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}
func (l *logReporter) Log() io.Writer { return io.Discard }
func (l *logReporter) Progress(done, total int64, unit string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.progress = append(l.progress, fmt.Sprintf("%d/%d %s", done, total, unit))
}

// has reports whether some log line contains s.
func (l *logReporter) has(s string) bool {
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// runKind runs kind k the way the pipeline does: params checked against its
// specs with defaults filled in, data files resolved against dataDir.
func runKind(t testing.TB, k pipeline.Kind, params map[string]any, tables map[string]arrow.Record, dataDir string) (pipeline.Outputs, *logReporter) {
	t.Helper()
	out, rep, err := tryKind(k, params, tables, dataDir)
	if err != nil {
		t.Fatalf("%s: %v", k.Name, err)
	}
	return out, rep
}

// tryKind is runKind returning the stage's error.
func tryKind(k pipeline.Kind, params map[string]any, tables map[string]arrow.Record, dataDir string) (pipeline.Outputs, *logReporter, error) {
	p, problems := k.CheckParams(pipeline.Params(params))
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("params: %v", problems)
	}
	in := pipeline.Inputs{Tables: tables, Files: map[string]string{}}
	if k.Files != nil {
		deps, err := k.Files(p)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range deps {
			in.Files[d.Name] = filepath.Join(dataDir, d.Path)
		}
	}
	rep := &logReporter{}
	out, err := k.Run(context.Background(), in, p, rep)
	return out, rep, err
}

// marshalOut returns the marshalled bytes of every output.
func marshalOut(t testing.TB, out pipeline.Outputs) map[string][]byte {
	t.Helper()
	b := map[string][]byte{}
	for name, rec := range out {
		raw, err := arrowtab.Marshal(rec)
		if err != nil {
			t.Fatalf("marshal %s: %v", name, err)
		}
		b[name] = raw
	}
	return b
}

// roundTrip returns rec as the next stage sees it: marshalled and read back.
func roundTrip(t testing.TB, rec arrow.Record) arrow.Record {
	t.Helper()
	raw, err := arrowtab.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	back, err := arrowtab.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return back
}
