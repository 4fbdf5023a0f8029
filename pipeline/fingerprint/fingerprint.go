package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"io/fs"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// version is mixed into every fingerprint; bump it when the encoding changes.
const version = "pipe-fingerprint-v2"

// Config says where the sources are and what else enters a fingerprint.
type Config struct {
	// Sources holds go.mod at its root and the package directories of the
	// module (see the root package's Sources).
	Sources fs.FS
	// Module is the module path; "" reads it from go.mod in Sources.
	Module string
	// Deps maps external module paths to versions; nil reads them from the
	// running binary's build information, or go.mod if that is missing.
	Deps map[string]string
	// GoVersion is the toolchain version; "" means runtime.Version().
	GoVersion string
	// Tests includes _test.go files, for kinds declared in tests.
	Tests bool
	// Reach is the generated reach list (reach.json, see the root
	// package's Reach): what each registered kind's Run function reaches
	// on the type-checked program. Functions it does not name, and all
	// functions when it is nil, are fingerprinted by a syntactic walk that
	// over-approximates reachability by name.
	Reach []byte
	// Warn receives the one warning a stale reach list causes (see
	// staleReason); nil prints it on standard error.
	Warn func(msg string)
}

// Fingerprinter computes fingerprints of functions of one module. It parses
// each package once and caches every result; it is safe for concurrent use.
type Fingerprinter struct {
	cfg     Config
	module  string
	deps    map[string]string
	fset    *token.FileSet
	list    *reachList // parsed from cfg.Reach on first use
	listErr error
	warned  bool
	refs    map[*unit]*refs // references of each declaration, for staleReason
	mu      sync.Mutex
	pkgs    map[string]*pkg
	results map[string]string
}

// New returns a Fingerprinter over cfg.Sources.
func New(cfg Config) (*Fingerprinter, error) {
	if cfg.Sources == nil {
		return nil, fmt.Errorf("%w: no sources", pipeline.ErrFingerprint)
	}
	gomod, err := fs.ReadFile(cfg.Sources, "go.mod")
	if err != nil {
		return nil, fmt.Errorf("%w: read go.mod from the embedded sources: %v", pipeline.ErrFingerprint, err)
	}
	module, modDeps := parseGoMod(string(gomod))
	if cfg.Module != "" {
		module = cfg.Module
	}
	if module == "" {
		return nil, fmt.Errorf("%w: go.mod names no module", pipeline.ErrFingerprint)
	}
	deps := cfg.Deps
	if deps == nil {
		deps = buildDeps()
		if deps == nil {
			deps = modDeps
		}
	}
	if cfg.GoVersion == "" {
		cfg.GoVersion = runtime.Version()
	}
	return &Fingerprinter{cfg: cfg, module: module, deps: deps, fset: token.NewFileSet(),
		refs: map[*unit]*refs{}, pkgs: map[string]*pkg{}, results: map[string]string{}}, nil
}

// Fingerprint returns the fingerprint of a built-in kind: that of its Run
// function, salted with Kind.Version. It implements pipeline.Fingerprinter.
func (f *Fingerprinter) Fingerprint(k *pipeline.Kind) (string, error) {
	name, err := k.RunName()
	if err != nil {
		return "", fmt.Errorf("%w %q: %v", pipeline.ErrFingerprint, k.Name, err)
	}
	fp, err := f.Func(name)
	if err != nil {
		return "", fmt.Errorf("kind %q: %w", k.Name, err)
	}
	if k.Version == "" {
		return fp, nil
	}
	s := sha256.Sum256([]byte(fp + "\x00version\x00" + k.Version))
	return hex.EncodeToString(s[:]), nil
}

// Func returns the fingerprint of the package-level function with the fully
// qualified name qualified ("github.com/x/pipe/stages.runTrain").
func (f *Fingerprinter) Func(qualified string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fp, ok := f.results[qualified]; ok {
		return fp, nil
	}
	fp, err := f.compute(qualified)
	if err != nil {
		return "", fmt.Errorf("%w %s: %v", pipeline.ErrFingerprint, qualified, err)
	}
	f.results[qualified] = fp
	return fp, nil
}

func (f *Fingerprinter) compute(qualified string) (string, error) {
	if fp, ok, err := f.fromReach(qualified); ok {
		return fp, err
	}
	slash := strings.LastIndexByte(qualified, '/')
	dot := strings.IndexByte(qualified[slash+1:], '.')
	if dot < 0 {
		return "", errors.New("not a qualified function name")
	}
	ip, name := qualified[:slash+1+dot], qualified[slash+2+dot:]
	p, err := f.loadPackage(ip)
	if err != nil {
		return "", err
	}
	var root *unit
	for _, u := range p.byName[name] {
		if _, ok := u.node.(*ast.FuncDecl); ok {
			root = u
		}
	}
	if root == nil {
		return "", fmt.Errorf("function %s not found in the embedded sources of %s", name, ip)
	}
	w, err := f.reach(root)
	if err != nil {
		return "", err
	}
	return f.digest(w.reached, w.imports)
}

// digest hashes the reached declarations in a position-independent order,
// then the external modules their files import, the toolchain and the
// encoding version.
func (f *Fingerprinter) digest(units map[*unit]bool, imports map[string]bool) (string, error) {
	var parts []string
	for u := range units {
		parts = append(parts, u.pkg.path+"\x00"+u.key+"\x00"+u.pkg.hashUnit(u))
	}
	parts = append(parts, f.moduleParts(imports)...)
	sort.Strings(parts)
	h := sha256.New()
	h.Write([]byte(version + "\n" + f.cfg.GoVersion + "\n"))
	for _, p := range parts {
		h.Write([]byte(p + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleParts names the version of every external module imported by a
// file holding reached code. Standard-library imports are covered by the
// toolchain version.
func (f *Fingerprinter) moduleParts(imports map[string]bool) []string {
	seen := map[string]bool{}
	var parts []string
	for ip := range imports {
		if _, local := f.relDir(ip); local || !strings.Contains(strings.Split(ip, "/")[0], ".") {
			continue
		}
		mod, ver := f.moduleOf(ip)
		if !seen[mod] {
			seen[mod] = true
			parts = append(parts, "module\x00"+mod+"@"+ver)
		}
	}
	return parts
}

// moduleOf finds the longest module path that is a prefix of ip.
func (f *Fingerprinter) moduleOf(ip string) (string, string) {
	best := ""
	for m := range f.deps {
		if (ip == m || strings.HasPrefix(ip, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	if best == "" {
		return ip, "unknown"
	}
	return best, f.deps[best]
}

// buildDeps reads module versions from the running binary.
func buildDeps() map[string]string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || len(bi.Deps) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, d := range bi.Deps {
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Path + "@" + d.Replace.Version
		}
		out[d.Path] = v
	}
	return out
}

// parseGoMod reads the module path and required versions from go.mod
// (enough of its grammar for this purpose: module and require lines).
func parseGoMod(src string) (string, map[string]string) {
	module := ""
	deps := map[string]string{}
	inRequire := false
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(strings.SplitN(line, "//", 2)[0])
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "module" && len(fields) == 2:
			module = strings.Trim(fields[1], `"`)
		case fields[0] == "require" && len(fields) == 2 && fields[1] == "(":
			inRequire = true
		case fields[0] == ")":
			inRequire = false
		case fields[0] == "require" && len(fields) == 3:
			deps[fields[1]] = fields[2]
		case inRequire && len(fields) == 2:
			deps[fields[0]] = fields[1]
		}
	}
	return module, deps
}

// SourceDigest returns a digest of everything any fingerprint of this
// Fingerprinter depends on: every file of Sources, the external module
// versions and the Go version. Two programs with equal source digests give
// every kind equal fingerprints, so fingerprints may be cached under it.
func (f *Fingerprinter) SourceDigest() (string, error) {
	h := sha256.New()
	h.Write([]byte(version + "\n" + f.cfg.GoVersion + "\n"))
	h.Write(f.cfg.Reach)
	mods := make([]string, 0, len(f.deps))
	for m, v := range f.deps {
		mods = append(mods, m+"@"+v)
	}
	sort.Strings(mods)
	h.Write([]byte(strings.Join(mods, "\n") + "\n"))
	buf := make([]byte, 64<<10) // every file streams through one buffer: no copy of the sources per call
	err := fs.WalkDir(f.cfg.Sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		r, err := f.cfg.Sources.Open(p)
		if err != nil {
			return err
		}
		defer r.Close()
		fmt.Fprintf(h, "%s\x00%d\x00", p, fi.Size())
		_, err = io.CopyBuffer(h, struct{ io.Reader }{r}, buf)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("%w: %v", pipeline.ErrFingerprint, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
