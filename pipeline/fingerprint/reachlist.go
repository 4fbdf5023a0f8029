package fingerprint

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"os"
	"strings"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// reachList is the generated reach.json (see internal/reachgen): for each
// kind's Run function, the module declarations it can reach on the
// type-checked program and the packages of other modules it uses.
type reachList struct {
	Kinds map[string]struct {
		Units     []string `json:"units"`
		Imports   []string `json:"imports"`
		Selectors []string `json:"selectors"` // nil in lists made before the field

	} `json:"kinds"`
}

func parseReach(b []byte) (*reachList, error) {
	if b == nil {
		return nil, nil
	}
	var r reachList
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("parse the reach list: %w", err)
	}
	return &r, nil
}

// fromReach fingerprints a function from its generated reach list; ok is
// false when the list does not name it (a kind declared outside the
// registry, such as in a test) or when the list is stale for it (see
// staleReason), and the syntactic walk is used instead.
func (f *Fingerprinter) fromReach(qualified string) (fp string, ok bool, err error) {
	list, err := f.reachList()
	if err != nil || list == nil {
		return "", err != nil, err
	}
	r, ok := list.Kinds[qualified]
	if !ok {
		return "", false, nil
	}
	units := map[*unit]bool{}
	for _, s := range r.Units {
		us, stale := f.lookupUnit(s)
		if stale != "" {
			f.warnStale(stale)
			return "", false, nil
		}
		for _, u := range us {
			units[u] = true
			for _, in := range u.pkg.inits {
				units[in] = true // init functions run whenever the package is linked
			}
		}
	}
	var sels map[string]bool
	if r.Selectors != nil {
		sels = map[string]bool{}
		for _, s := range r.Selectors {
			sels[s] = true
		}
	}
	reason, err := f.staleReason(units, sels)
	if err != nil {
		return "", true, err
	}
	if reason != "" {
		f.warnStale(reason)
		return "", false, nil
	}
	imports := map[string]bool{}
	for _, ip := range r.Imports {
		imports[ip] = true
	}
	fp, err = f.digest(units, imports)
	return fp, true, err
}

// reachList parses the reach list on first use: a warm fingerprint cache
// never needs it.
func (f *Fingerprinter) reachList() (*reachList, error) {
	if f.list == nil && f.cfg.Reach != nil && f.listErr == nil {
		f.list, f.listErr = parseReach(f.cfg.Reach)
	}
	if f.listErr != nil {
		return nil, fmt.Errorf("%w: %v", pipeline.ErrFingerprint, f.listErr)
	}
	return f.list, nil
}

// warnStale reports, once per Fingerprinter, that the reach list is stale.
func (f *Fingerprinter) warnStale(reason string) {
	if f.warned {
		return
	}
	f.warned = true
	msg := "reach.json is stale (" + reason + "): the kinds it no longer describes are fingerprinted by the conservative name walk, and may rerun needlessly until `go generate` is run at the module root"
	if f.cfg.Warn != nil {
		f.cfg.Warn(msg)
		return
	}
	fmt.Fprintln(os.Stderr, "pipe: warning:", msg)
}

// lookupUnit finds the declarations a reach-list entry names: every
// build-tagged variant of a name is included (the list was computed for one
// platform, the binary may run on another). stale says why the entry does
// not match the sources, if it does not.
func (f *Fingerprinter) lookupUnit(s string) (found []*unit, stale string) {
	ip, key, ok := strings.Cut(s, " ")
	if !ok || len(key) < 3 || key[1] != ':' {
		return nil, fmt.Sprintf("bad entry %q", s)
	}
	p, err := f.loadPackage(ip)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", s, err)
	}
	switch name := key[2:]; key[0] {
	case 'm':
		typ, meth, _ := strings.Cut(name, ".")
		for _, u := range p.methodsOf[typ] {
			if u.node.(*ast.FuncDecl).Name.Name == meth {
				found = append(found, u)
			}
		}
	default:
		for _, u := range p.byName[name] {
			if unitKind(u) == key[0] {
				found = append(found, u)
			}
		}
	}
	if len(found) == 0 {
		return nil, fmt.Sprintf("it lists %s %s, which the sources no longer declare", ip, key)
	}
	return found, ""
}

// unitKind classifies a package-level declaration as the reach list does.
func unitKind(u *unit) byte {
	switch u.node.(type) {
	case *ast.FuncDecl:
		return 'f'
	case *ast.TypeSpec:
		return 't'
	case *ast.ValueSpec:
		return 'v'
	case *ast.GenDecl:
		return 'c'
	}
	return 0
}
