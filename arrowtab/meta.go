package arrowtab

import (
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
)

// MetaKind is the schema metadata key that names what an artifact is
// (for example "dataset.power", "model.params", "table.results").
const MetaKind = "pipe.kind"

// Metadata builds schema metadata from m with its keys in sorted order, so
// that equal maps give byte-identical IPC schemas (and equal digests).
func Metadata(m map[string]string) *arrow.Metadata {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return &md
}

// Meta returns the schema metadata value for key.
func Meta(rec arrow.Record, key string) (string, bool) {
	md := rec.Schema().Metadata()
	i := md.FindKey(key)
	if i < 0 {
		return "", false
	}
	return md.Values()[i], true
}

// sortedMetaSchema returns s, or a copy with its metadata sorted by key when
// it is not: a record built by hand with arrow.NewMetadata may list keys in
// any order, and Marshal must not let that order reach the bytes.
func sortedMetaSchema(s *arrow.Schema) *arrow.Schema {
	md := s.Metadata()
	keys := md.Keys()
	if sort.StringsAreSorted(keys) {
		return s
	}
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		m[k] = md.Values()[i]
	}
	return arrow.NewSchema(s.Fields(), Metadata(m))
}
