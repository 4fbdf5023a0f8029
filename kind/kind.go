package kind

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
)

// ParamType is the type of a built-in kind's parameter, checked when
// pipelines.yaml is validated.
type ParamType int

// Parameter types. List and Map values keep their YAML structure and reach
// the stage as []any and map[string]any.
const (
	String ParamType = iota
	Int
	Float // an Int literal is accepted where a Float is expected
	Bool
	Ints
	Floats
	Strings
	Map
	Any
)

// ParamSpec documents one parameter of a built-in kind.
type ParamSpec struct {
	Name    string
	Type    ParamType
	Default any    // nil means required
	Doc     string // one line: what it controls, with units; shown by `pipe stages`
	Enum    []string
	// Range bounds a numeric param (every item of a numeric list); checked
	// at load time, shown by `pipe stages`. Every numeric param of a
	// built-in kind declares one.
	Range *Range
}

// PortSpec documents one input or output of a built-in kind.
type PortSpec struct {
	Name     string
	Doc      string
	Optional bool // for inputs only
	// Many marks an input that accepts any number of artifacts (for example
	// every seed's evaluation); they arrive in Inputs.Tables as "name/<key>".
	Many bool
	// Measures names the measurement columns of an output table: wall-clock
	// time, memory, anything that differs between two runs computing the
	// same results. Dependents' keys hash the table without them, so a rerun
	// that reproduces its results byte for byte reruns nothing downstream.
	Measures []string
}

// FileDep is an external file or directory a built-in stage reads (raw data).
// Its content digest is part of the stage key, so editing the data reruns the stage.
type FileDep struct {
	Name string // logical name; the stage finds the resolved path in Inputs.Files[Name]
	Path string // relative to the data directory, or absolute
}

// Inputs is what a built-in stage receives.
type Inputs struct {
	Tables map[string]arrow.Record // upstream artifacts by local input name; owned by the runner
	Files  map[string]string       // resolved absolute paths of the kind's FileDeps
}

// Outputs maps output names to records. The runner marshals, stores and
// releases them.
type Outputs map[string]arrow.Record

// Reporter is a running stage's link to the runner.
type Reporter interface {
	// Logf appends a line to the stage's log (kept in the store, `pipe logs`).
	Logf(format string, args ...any)
	// Log is the stage's log as a writer.
	Log() io.Writer
	// Progress reports done of total units (for example "epoch"); shown as a bar on a terminal.
	Progress(done, total int64, unit string)
}

// RunFunc is a built-in stage's implementation. It must be deterministic
// given its inputs and params (randomness comes from seeds in params), and
// must stop promptly when ctx is cancelled.
type RunFunc func(ctx context.Context, in Inputs, p Params, r Reporter) (Outputs, error)

// Kind is a built-in stage kind.
type Kind struct {
	Name    string
	Doc     string // a short paragraph for `pipe stages`
	Params  []ParamSpec
	Inputs  []PortSpec
	Outputs []PortSpec
	// Files lists the external files the stage reads for the given params (nil if none).
	Files func(p Params) ([]FileDep, error)
	Run   RunFunc
	// Version is an optional manual salt mixed into the fingerprint.
	Version string
	// Memory, if set, estimates from the (checked) params a lower bound of
	// the bytes a stage of this kind holds at its peak, and names the
	// params that drive it. A stage whose estimate exceeds the machine's
	// memory is refused when the file is loaded, not by the OOM killer.
	Memory func(p Params) (bytes float64, params []string)
}

// Registry holds the built-in kinds known to a program.
type Registry struct {
	mu    sync.RWMutex
	kinds map[string]*Kind
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]*Kind{}} }

// Register adds a kind; registering a name twice is an error. Run must be a
// named package-level function (not a closure or method value), because the
// kind's fingerprint is computed from the sources reachable from it.
func (r *Registry) Register(k Kind) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k.Name == "" || k.Run == nil {
		return fmt.Errorf("kind: register %q: name and Run are required", k.Name)
	}
	if err := validateKind(&k); err != nil {
		return fmt.Errorf("kind: register %q: %w", k.Name, err)
	}
	if _, err := funcName(k.Run); err != nil {
		return fmt.Errorf("kind: register %q: %w", k.Name, err)
	}
	if _, dup := r.kinds[k.Name]; dup {
		return fmt.Errorf("kind: %q registered twice", k.Name)
	}
	r.kinds[k.Name] = &k
	return nil
}

// Lookup returns the kind called name.
func (r *Registry) Lookup(name string) (*Kind, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.kinds[name]
	return k, ok
}

// Kinds returns every registered kind, sorted by name.
func (r *Registry) Kinds() []*Kind {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Kind, 0, len(r.kinds))
	for _, k := range r.kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// funcName returns the fully qualified name of a named package-level
// function ("github.com/x/pkg.runTrain") and rejects closures, method values
// and generic instantiations, whose sources cannot be found by name.
func funcName(fn RunFunc) (string, error) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "", fmt.Errorf("run function has no symbol")
	}
	name := f.Name()
	last := name[strings.LastIndexByte(name, '/')+1:]
	if strings.Count(last, ".") != 1 || strings.ContainsAny(last, "[-") {
		return "", fmt.Errorf("Run is %s: it must be a named package-level function, not a closure or method value, so that its fingerprint can follow its sources", name)
	}
	return name, nil
}

// RunName returns the fully qualified name of the kind's Run function, the
// root from which its fingerprint is computed.
func (k *Kind) RunName() (string, error) { return funcName(k.Run) }
