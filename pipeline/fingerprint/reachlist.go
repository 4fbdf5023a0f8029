package fingerprint

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"strings"
)

// reachList is the generated reach.json (see internal/reachgen): for each
// kind's Run function, the module declarations it can reach on the
// type-checked program and the packages of other modules it uses.
type reachList struct {
	Kinds map[string]struct {
		Units   []string `json:"units"`
		Imports []string `json:"imports"`
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
// registry, such as in a test), and the syntactic walk is used instead.
func (f *Fingerprinter) fromReach(qualified string) (fp string, ok bool, err error) {
	if f.list == nil {
		return "", false, nil
	}
	r, ok := f.list.Kinds[qualified]
	if !ok {
		return "", false, nil
	}
	units := map[*unit]bool{}
	for _, s := range r.Units {
		us, err := f.lookupUnit(s)
		if err != nil {
			return "", true, err
		}
		for _, u := range us {
			units[u] = true
		}
	}
	imports := map[string]bool{}
	for _, ip := range r.Imports {
		imports[ip] = true
	}
	fp, err = f.digest(units, imports)
	return fp, true, err
}

// lookupUnit finds the declarations a reach-list entry names: every
// build-tagged variant of a name is included (the list was computed for one
// platform, the binary may run on another).
func (f *Fingerprinter) lookupUnit(s string) ([]*unit, error) {
	ip, key, ok := strings.Cut(s, " ")
	if !ok || len(key) < 3 || key[1] != ':' {
		return nil, fmt.Errorf("bad reach-list entry %q", s)
	}
	p, err := f.loadPackage(ip)
	if err != nil {
		return nil, err
	}
	var found []*unit
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
		return nil, fmt.Errorf("%s %s is in the reach list but not in the sources: the list is stale, run `go generate` at the module root", ip, key)
	}
	return found, nil
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
