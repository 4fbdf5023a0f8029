package temporal

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// A built-in kind's external files (raw data) reach workers by digest: the
// client stores each file, or a directory as a tar archive with fixed
// metadata (so equal trees give equal digests), and a worker unpacks it
// once into its cache, at files/<digest>/<base name>.

// filePacker stores external files for the client, remembering what it
// stored by path, size and modification time.
type filePacker struct {
	store artifacts.Store
	mu    sync.Mutex
	done  map[string]FileRef // "path\x00size\x00mtime" -> ref
}

// pack stores the files of a task and returns their references.
func (p *filePacker) pack(ctx context.Context, files map[string]string) (map[string]FileRef, error) {
	if len(files) == 0 {
		return nil, nil
	}
	out := make(map[string]FileRef, len(files))
	for name, path := range files {
		ref, err := p.packOne(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("file %s (%s): %w", name, path, err)
		}
		out[name] = ref
	}
	return out, nil
}

func (p *filePacker) packOne(ctx context.Context, path string) (FileRef, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileRef{}, err
	}
	memo := fmt.Sprintf("%s\x00%d\x00%d", path, st.Size(), st.ModTime().UnixNano())
	p.mu.Lock()
	ref, ok := p.done[memo]
	p.mu.Unlock()
	if ok {
		return ref, nil
	}
	ref = FileRef{Base: filepath.Base(path), Dir: st.IsDir()}
	if st.IsDir() {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, path)) }()
		ref.Digest, err = p.store.Put(ctx, pr)
		pr.CloseWithError(err)
	} else {
		ref.Digest, err = p.store.PutFile(ctx, path)
	}
	if err != nil {
		return FileRef{}, err
	}
	p.mu.Lock()
	if p.done == nil {
		p.done = map[string]FileRef{}
	}
	p.done[memo] = ref
	p.mu.Unlock()
	return ref, nil
}

// writeTar writes the regular files under root, in name order, with
// modes, owners and times cleared.
func writeTar(w io.Writer, root string) error {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	tw := tar.NewWriter(w)
	for _, p := range paths {
		if err := addTar(tw, root, p); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addTar(tw *tar.Writer, root, p string) error {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: st.Size(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// unpack makes ref available under cacheDir and returns its path.
func unpack(ctx context.Context, s artifacts.Store, cacheDir string, ref FileRef) (string, error) {
	if _, err := artifacts.ParseDigest(string(ref.Digest)); err != nil || ref.Base == "" || ref.Base != filepath.Base(ref.Base) {
		return "", fmt.Errorf("bad file reference %+v", ref)
	}
	dir := filepath.Join(cacheDir, "files", string(ref.Digest))
	final := filepath.Join(dir, ref.Base)
	if _, err := os.Stat(final); err == nil {
		return final, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if !ref.Dir {
		return final, s.Materialize(ctx, ref.Digest, final)
	}
	tmp, err := os.MkdirTemp(dir, ".unpack-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := extract(ctx, s, ref.Digest, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil && !errors.Is(err, fs.ErrExist) {
		if _, serr := os.Stat(final); serr != nil { // another slot may have won the race
			return "", err
		}
	}
	return final, nil
}

// extract unpacks the tar object d into dir.
func extract(ctx context.Context, s artifacts.Store, d artifacts.Digest, dir string) error {
	rc, err := s.Open(ctx, d)
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			_, err = io.Copy(io.Discard, rc) // reach the end, where the digest is checked
			return err
		}
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if rel, err := filepath.Rel(dir, p); err != nil || !filepath.IsLocal(rel) {
			return fmt.Errorf("archive %s: entry %q leaves its directory", d.Short(), hdr.Name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
