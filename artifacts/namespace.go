package artifacts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WithNamespace returns a view of the store whose references all live under
// refs/<ns>/: several projects can then share one store directory (through
// PIPE_STORE) without reading, overwriting or collecting each other's
// references. Objects, records and locks stay shared, which is what makes
// the sharing pay: equal work has equal keys. ns must be a valid reference
// name; "" returns s itself.
func (s *DirStore) WithNamespace(ns string) (*DirStore, error) {
	if ns == "" {
		return s, nil
	}
	if err := ValidateRefName(ns); err != nil {
		return nil, fmt.Errorf("store namespace: %w", err)
	}
	v := *s
	v.namespace = s.join(ns)
	v.refs = filepath.Join(s.refRoot, filepath.FromSlash(v.namespace))
	if err := os.MkdirAll(v.refs, 0o755); err != nil {
		return nil, fmt.Errorf("store namespace %s: %w", ns, err)
	}
	return &v, nil
}

// join prefixes ns with the view's own namespace.
func (s *DirStore) join(ns string) string {
	if s.namespace == "" {
		return ns
	}
	return s.namespace + "/" + ns
}

// Namespace returns the reference namespace of this view ("" for the whole store).
func (s *DirStore) Namespace() string { return s.namespace }

// ForeignRefs calls fn for every reference of the whole store outside this
// view's namespace, with its full name (as seen without a namespace). A
// collection keeps what they point at: they are other projects' results.
func (s *DirStore) ForeignRefs(ctx context.Context, fn func(name string, value []byte) error) error {
	if s.namespace == "" {
		return nil
	}
	whole := *s
	whole.refs, whole.namespace = s.refRoot, ""
	own := s.namespace + "/"
	return whole.Refs(ctx, "", func(name string, value []byte) error {
		if strings.HasPrefix(name, own) {
			return nil
		}
		return fn(name, value)
	})
}
