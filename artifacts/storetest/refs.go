package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

func setRef(t *testing.T, s artifacts.Store, name string, v []byte) {
	t.Helper()
	if err := s.SetRef(context.Background(), name, v); err != nil {
		t.Fatalf("SetRef(%q): %v", name, err)
	}
}

func testRefs(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	values := [][]byte{[]byte("first"), {}, {0, '\n', 0xff, '/', 0}, randomBytes(1, 10000)}
	for _, v := range values {
		setRef(t, s, "stages/train", v)
		got, err := s.GetRef(ctx, "stages/train")
		if err != nil || !bytes.Equal(got, v) {
			t.Fatalf("GetRef = %q, %v; want %q", got, err, v)
		}
	}
	v := []byte("mutable")
	setRef(t, s, "top", v)
	v[0] = 'X' // the store must keep its own copy
	if got, _ := s.GetRef(ctx, "top"); string(got) != "mutable" {
		t.Fatalf("GetRef after caller mutation = %q", got)
	}
	if err := s.DeleteRef(ctx, "stages/train"); err != nil {
		t.Fatalf("DeleteRef: %v", err)
	}
	if _, err := s.GetRef(ctx, "stages/train"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("GetRef after delete err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteRef(ctx, "stages/train"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("second DeleteRef err = %v, want ErrNotFound", err)
	}
	if _, err := s.GetRef(ctx, "stages"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("GetRef of a former parent name err = %v, want ErrNotFound", err)
	}
}

func testRefsPrefix(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	all := []string{"a-b", "a/c", "pipelines/paper/ci", "pipelines/paper/full",
		"stages-x", "stages/test", "stages/train", "stages/train-b", "stages/train.v2/x"}
	for _, n := range all {
		setRef(t, s, n, []byte("v:"+n))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", all},
		{"stages/", []string{"stages/test", "stages/train", "stages/train-b", "stages/train.v2/x"}},
		{"stages", []string{"stages-x", "stages/test", "stages/train", "stages/train-b", "stages/train.v2/x"}},
		{"stages/tr", []string{"stages/train", "stages/train-b", "stages/train.v2/x"}},
		{"pipelines/paper/", []string{"pipelines/paper/ci", "pipelines/paper/full"}},
		{"pipelines/paper/ci", []string{"pipelines/paper/ci"}},
		{"a", []string{"a-b", "a/c"}},
		{"nomatch", nil},
		{"no/such/dir/", nil},
		{"../", nil},
	}
	for _, c := range cases {
		var got []string
		err := s.Refs(ctx, c.prefix, func(name string, v []byte) error {
			if string(v) != "v:"+name {
				t.Errorf("Refs(%q): %s has value %q", c.prefix, name, v)
			}
			got = append(got, name)
			return nil
		})
		if err != nil {
			t.Fatalf("Refs(%q): %v", c.prefix, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Refs(%q) = %q, want %q (in string order)", c.prefix, got, c.want)
		}
	}
	stop := errors.New("stop")
	if err := s.Refs(ctx, "", func(string, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Refs with failing fn err = %v", err)
	}
}

func testRefNames(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	for _, name := range []string{"a", "stages/train", "A.b_c-1/x.y", "pipelines/paper-tables/ci", "..a", ".hidden/x", "a../b"} {
		setRef(t, s, name, []byte(name))
		if got, err := s.GetRef(ctx, name); err != nil || string(got) != name {
			t.Errorf("GetRef(%q) = %q, %v", name, got, err)
		}
		if err := s.DeleteRef(ctx, name); err != nil {
			t.Errorf("DeleteRef(%q): %v", name, err)
		}
	}
	bad := []string{"", "/abs", "a/", "a//b", "..", "../x", "a/../b", ".", "a/./b", "a b",
		`a\b`, "é", "a:b", "a\x00b", "a*", "~/x", strings.Repeat("a/", 600) + "a"}
	for _, name := range bad {
		if err := s.SetRef(ctx, name, []byte("x")); !errors.Is(err, artifacts.ErrBadName) {
			t.Errorf("SetRef(%q) err = %v, want ErrBadName", name, err)
		}
		if _, err := s.GetRef(ctx, name); !errors.Is(err, artifacts.ErrBadName) {
			t.Errorf("GetRef(%q) err = %v, want ErrBadName", name, err)
		}
		if err := s.DeleteRef(ctx, name); !errors.Is(err, artifacts.ErrBadName) {
			t.Errorf("DeleteRef(%q) err = %v, want ErrBadName", name, err)
		}
	}
}

// testRefConflicts checks that a name cannot be both a reference and a
// parent of references, and that deleting the children frees the name.
func testRefConflicts(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	setRef(t, s, "p/q/r", []byte("1"))
	setRef(t, s, "leaf", []byte("2"))
	for _, name := range []string{"p", "p/q", "leaf/x", "leaf/x/y"} {
		if err := s.SetRef(ctx, name, []byte("x")); !errors.Is(err, artifacts.ErrBadName) {
			t.Errorf("SetRef(%q) err = %v, want ErrBadName (conflict)", name, err)
		}
	}
	if got, err := s.GetRef(ctx, "p/q/r"); err != nil || string(got) != "1" {
		t.Fatalf("conflicting SetRef disturbed p/q/r: %q, %v", got, err)
	}
	if _, err := s.GetRef(ctx, "p/q"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("GetRef of a parent name err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteRef(ctx, "p/q"); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("DeleteRef of a parent name err = %v, want ErrNotFound", err)
	}
	if err := s.DeleteRef(ctx, "p/q/r"); err != nil {
		t.Fatal(err)
	}
	setRef(t, s, "p", []byte("3"))
	if got, err := s.GetRef(ctx, "p"); err != nil || string(got) != "3" {
		t.Fatalf("GetRef(p) = %q, %v", got, err)
	}
}
