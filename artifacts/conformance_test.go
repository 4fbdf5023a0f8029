package artifacts_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/artifacts/storetest"
)

func TestDirStoreConformance(t *testing.T) {
	storetest.RunWith(t, func(t *testing.T) artifacts.Store {
		return openDir(t)
	}, storetest.Options{Corrupt: corruptDir})
}

// TestNamespacedDirStoreConformance runs the suite on a project's view of
// a store, beside another project's references.
func TestNamespacedDirStoreConformance(t *testing.T) {
	storetest.RunWith(t, func(t *testing.T) artifacts.Store {
		whole := openDir(t)
		other, err := whole.WithNamespace("projects/other")
		if err != nil {
			t.Fatal(err)
		}
		if err := other.SetRef(t.Context(), "stages/train", []byte("other's")); err != nil {
			t.Fatal(err)
		}
		s, err := whole.WithNamespace("projects/p")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, storetest.Options{Corrupt: corruptDir})
}

func TestMemStoreConformance(t *testing.T) {
	storetest.RunWith(t, func(t *testing.T) artifacts.Store {
		return artifacts.NewMemStore()
	}, storetest.Options{Corrupt: func(t *testing.T, s artifacts.Store, d artifacts.Digest) {
		s.(*artifacts.MemStore).CorruptForTest(d)
	}})
}

// openDir opens a fresh DirStore in a test directory.
func openDir(t testing.TB) *artifacts.DirStore {
	t.Helper()
	s, err := artifacts.OpenDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// objectFile is where the layout puts object d.
func objectFile(s *artifacts.DirStore, d artifacts.Digest) string {
	return filepath.Join(s.Dir(), "objects", string(d[:2]), string(d))
}

// corruptDir flips the last byte of an object file in place (or gives an
// empty object one byte), as bit rot or a stray write would.
func corruptDir(t *testing.T, st artifacts.Store, d artifacts.Digest) {
	t.Helper()
	p := objectFile(st.(*artifacts.DirStore), d)
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		b = []byte{0}
	} else {
		b[len(b)-1] ^= 0xff
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
}
