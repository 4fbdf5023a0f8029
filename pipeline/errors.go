package pipeline

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the engine wraps them with %w so callers test with errors.Is.
var (
	// ErrInvalid reports a pipelines.yaml that does not validate; the
	// wrapped *ValidationError lists every problem with its file and line.
	ErrInvalid = errors.New("pipeline: invalid pipelines.yaml")
	// ErrUnknownTarget reports a name that is neither a pipeline nor a stage.
	ErrUnknownTarget = errors.New("pipeline: unknown pipeline or stage")
	// ErrMissingFile reports an external data file a stage depends on that
	// does not exist.
	ErrMissingFile = errors.New("pipeline: missing data file")
	// ErrStageFailed reports a stage whose execution failed.
	ErrStageFailed = errors.New("pipeline: stage failed")
	// ErrMissingOutput reports a stage that finished without writing a
	// declared output.
	ErrMissingOutput = errors.New("pipeline: declared output not written")
	// ErrFingerprint reports a built-in kind whose implementation cannot be
	// fingerprinted (its sources are missing from the embedded module).
	ErrFingerprint = errors.New("pipeline: cannot fingerprint kind")
	// ErrNotRun reports a stage that has no recorded run in the store.
	ErrNotRun = errors.New("pipeline: stage has not run")
)

// SpecError is one problem found in pipelines.yaml.
type SpecError struct {
	File  string // path of pipelines.yaml as given to Load
	Line  int    // 1-based; 0 when unknown
	Stage string // offending stage, "" for problems outside stages
	Msg   string
}

func (e *SpecError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Stage != "" {
		fmt.Fprintf(&b, "stage %q: ", e.Stage)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ValidationError collects every problem found while loading a file, so that
// one run of `pipe` reports all of them at once.
type ValidationError struct {
	Errs []*SpecError
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Errs))
	for i, se := range e.Errs {
		lines[i] = se.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// problems accumulates SpecErrors for one file.
type problems struct {
	file string
	errs []*SpecError
}

func (p *problems) add(line int, stage, format string, args ...any) {
	p.errs = append(p.errs, &SpecError{File: p.file, Line: line, Stage: stage, Msg: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &ValidationError{Errs: p.errs}
}
