package fingerprint

import (
	"fmt"
	"go/ast"
)

// walker collects the declarations reachable from a root function.
type walker struct {
	f        *Fingerprinter
	reached  map[*unit]bool
	queue    []*unit
	pkgs     map[*pkg]bool
	selNames map[string]bool // names used as x.M where x is not a package
	imports  map[string]bool // import paths named by files of reached code
	err      error
}

func (f *Fingerprinter) reach(root *unit) (*walker, error) {
	w := &walker{f: f, reached: map[*unit]bool{}, pkgs: map[*pkg]bool{}, selNames: map[string]bool{}, imports: map[string]bool{}}
	w.add(root)
	for {
		for len(w.queue) > 0 && w.err == nil {
			u := w.queue[0]
			w.queue = w.queue[1:]
			w.visit(u)
		}
		if w.err != nil {
			return nil, w.err
		}
		// Methods called through a value (x.M) may run on any type with a
		// method M; include those of every package reached so far, and
		// walk again until nothing new is found.
		for p := range w.pkgs {
			for name := range w.selNames {
				w.add(p.methodsBy[name]...)
			}
		}
		if len(w.queue) == 0 {
			return w, nil
		}
	}
}

func (w *walker) add(us ...*unit) {
	for _, u := range us {
		if w.reached[u] {
			continue
		}
		w.reached[u] = true
		w.queue = append(w.queue, u)
		if !w.pkgs[u.pkg] {
			w.pkgs[u.pkg] = true
			w.add(u.pkg.inits...) // init functions run whenever the package is linked
		}
	}
}

// visit walks one declaration and adds everything it names.
func (w *walker) visit(u *unit) {
	for ip := range u.file.imports {
		w.imports[u.file.imports[ip]] = true
	}
	for _, ip := range u.file.dots {
		w.imports[ip] = true
	}
	if ts, ok := u.node.(*ast.TypeSpec); ok {
		w.add(u.pkg.methodsOf[ts.Name.Name]...)
	}
	ast.Inspect(u.node, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok {
				if ip, isPkg := u.file.imports[id.Name]; isPkg && u.pkg.byName[id.Name] == nil {
					w.external(ip, x.Sel.Name)
					return false
				}
			}
			w.selNames[x.Sel.Name] = true
		case *ast.Ident:
			w.add(u.pkg.byName[x.Name]...)
			for _, ip := range u.file.dots {
				w.external(ip, x.Name)
			}
		}
		return w.err == nil
	})
}

// external adds name from the package at import path ip when that package
// belongs to the module; other packages are covered by module versions.
func (w *walker) external(ip, name string) {
	if _, local := w.f.relDir(ip); !local {
		return
	}
	p, err := w.f.loadPackage(ip)
	if err != nil {
		w.err = err
		return
	}
	us := p.byName[name]
	if len(us) == 0 {
		w.err = fmt.Errorf("%s.%s is not declared in the embedded module sources", ip, name)
		return
	}
	w.add(us...)
}
