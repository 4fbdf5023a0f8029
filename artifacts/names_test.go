package artifacts

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzValidateRefName checks the property the store relies on: an accepted
// name is a clean relative path that stays inside the references directory.
func FuzzValidateRefName(f *testing.F) {
	for _, s := range []string{"a", "stages/train", "../x", "a//b", "/abs", "a/./b", "..a", "a/..", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := ValidateRefName(name)
		if err != nil {
			if !errors.Is(err, ErrBadName) {
				t.Fatalf("ValidateRefName(%q) = %v, not ErrBadName", name, err)
			}
			return
		}
		root := filepath.FromSlash("/store/refs")
		p := filepath.Join(root, filepath.FromSlash(name))
		if path.IsAbs(name) || path.Clean(name) != name || !strings.HasPrefix(p, root+string(filepath.Separator)) {
			t.Fatalf("accepted %q maps to %q, outside %q or not clean", name, p, root)
		}
	})
}

// FuzzDecodeRecord checks that arbitrary record file contents either decode
// to the record for the expected key or fail with ErrCorrupt, never panic.
func FuzzDecodeRecord(f *testing.F) {
	key := Key(DigestOf([]byte("k")))
	good, err := encodeRecord(&RunRecord{Key: key, Stage: "s", Params: []byte(`{"a":1}`)})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{good, good[:len(good)/2], nil, []byte("null"), []byte(`{"key":1}`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b, key, "fuzz.json")
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "fuzz.json") {
				t.Fatalf("error %v does not wrap ErrCorrupt naming the file", err)
			}
			return
		}
		if r.Key != key {
			t.Fatalf("decoded key %q, want %q", r.Key, key)
		}
	})
}
