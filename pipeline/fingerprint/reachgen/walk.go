package reachgen

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/callgraph/rta"
	"golang.org/x/tools/go/ssa"
)

// walk accumulates what one kind reaches.
type walk struct {
	p       *program
	roots   []*ssa.Function
	rooted  map[*types.Func]bool
	units   map[string]bool
	imports map[string]bool
	sels    map[string]bool // selector names that are not module methods (see Reach)
	scanned map[ast.Node]bool
	added   bool // a new root was found in the last scan
}

// reach runs RTA from the named root, scans the reached declarations for
// the types, constants, variables and functions they name, and reruns RTA
// with the functions named but not reached until nothing changes.
func (p *program) reach(root string) (Reach, error) {
	fn, err := p.lookup(root)
	if err != nil {
		return Reach{}, err
	}
	w := &walk{p: p, roots: []*ssa.Function{fn}, rooted: map[*types.Func]bool{},
		units: map[string]bool{}, imports: map[string]bool{}, sels: map[string]bool{}, scanned: map[ast.Node]bool{}}
	for {
		w.added = false
		res := rta.Analyze(w.roots, false)
		for f := range res.Reachable {
			w.function(f)
		}
		if !w.added {
			break
		}
	}
	return Reach{Units: sorted(w.units), Imports: sorted(w.imports), Selectors: sorted(w.sels)}, nil
}

// lookup finds a package-level function by qualified name.
func (p *program) lookup(qualified string) (*ssa.Function, error) {
	slash := strings.LastIndexByte(qualified, '/')
	dot := strings.IndexByte(qualified[slash+1:], '.')
	if dot < 0 {
		return nil, fmt.Errorf("not a qualified function name")
	}
	ip, name := qualified[:slash+1+dot], qualified[slash+2+dot:]
	sp := p.prog.ImportedPackage(ip)
	if sp == nil || sp.Func(name) == nil {
		return nil, fmt.Errorf("function not found in the loaded program")
	}
	return sp.Func(name), nil
}

// function records a reached SSA function by its source declaration:
// closures by their enclosing function, instances by their generic origin.
func (w *walk) function(f *ssa.Function) {
	for f.Parent() != nil {
		f = f.Parent()
	}
	if o := f.Origin(); o != nil {
		f = o
	}
	obj, ok := f.Object().(*types.Func)
	if !ok || obj.Pkg() == nil {
		return
	}
	w.object(obj.Origin())
}

// object records a package-level object (or method) and scans its
// declaration when it belongs to the module.
func (w *walk) object(obj types.Object) {
	pkg := obj.Pkg()
	if pkg == nil {
		return
	}
	if !w.p.local(pkg.Path()) {
		if strings.Contains(strings.Split(pkg.Path(), "/")[0], ".") {
			w.imports[pkg.Path()] = true
		}
		return
	}
	key, ok := unitKey(obj)
	if !ok {
		return
	}
	w.units[pkg.Path()+" "+key] = true
	if d := w.p.decls[obj]; d != nil && !w.scanned[d] {
		w.scanned[d] = true
		w.scan(pkg, d)
	}
}

// scan records every package-level object a declaration names. A function
// named without having been reached (a callback, a method value) becomes a
// further RTA root.
func (w *walk) scan(pkg *types.Package, n ast.Node) {
	info := w.p.info[pkg]
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			w.selector(info, sel.Sel)
			return true
		}
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj := info.Uses[id]
		if obj == nil || obj.Pkg() == nil {
			return true
		}
		if fn, ok := obj.(*types.Func); ok {
			w.root(fn.Origin())
			return true
		}
		if obj.Parent() == obj.Pkg().Scope() {
			w.object(obj)
		}
		return true
	})
}

// selector records the name of x.Name when it denotes anything but a
// method of a module type or a package-level object (pkg.Name).
func (w *walk) selector(info *types.Info, id *ast.Ident) {
	obj := info.Uses[id]
	if obj == nil {
		return
	}
	if obj.Pkg() != nil && obj.Parent() == obj.Pkg().Scope() {
		return // a qualified identifier
	}
	if fn, ok := obj.(*types.Func); ok && fn.Pkg() != nil && w.p.local(fn.Pkg().Path()) {
		if _, concrete := unitKey(fn); concrete {
			return
		}
	}
	w.sels[id.Name] = true
}

// root adds a module function named in reached code as an RTA root.
func (w *walk) root(fn *types.Func) {
	if w.rooted[fn] || fn.Pkg() == nil {
		return
	}
	w.rooted[fn] = true
	if !w.p.local(fn.Pkg().Path()) {
		w.object(fn)
		return
	}
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		// Abstract methods have no body; the concrete ones are reached
		// through RTA when a value of their type flows into an interface.
		return
	}
	if f := w.p.funcValue(fn, sig); f != nil {
		w.roots = append(w.roots, f)
		w.added = true
		return
	}
	w.object(fn)
}

// funcValue returns the SSA function of a package-level function or a
// concrete method; nil for methods of generic types, which are then only
// scanned.
func (p *program) funcValue(fn *types.Func, sig *types.Signature) *ssa.Function {
	if sig.Recv() == nil {
		return p.prog.FuncValue(fn)
	}
	t := sig.Recv().Type()
	if pt, ok := t.(*types.Pointer); ok {
		t = pt.Elem()
	}
	if n, ok := t.(*types.Named); !ok || n.TypeParams().Len() > 0 {
		return nil
	}
	for _, rt := range []types.Type{t, types.NewPointer(t)} {
		if sel := p.prog.MethodSets.MethodSet(rt).Lookup(fn.Pkg(), fn.Name()); sel != nil {
			return p.prog.MethodValue(sel)
		}
	}
	return nil
}

func (p *program) local(ip string) bool {
	return ip == p.module || strings.HasPrefix(ip, p.module+"/")
}

// unitKey names an object as the fingerprinter indexes the sources.
func unitKey(obj types.Object) (string, bool) {
	switch o := obj.(type) {
	case *types.Func:
		sig := o.Type().(*types.Signature)
		if sig.Recv() == nil {
			return "f:" + o.Name(), true
		}
		t := sig.Recv().Type()
		if pt, ok := t.(*types.Pointer); ok {
			t = pt.Elem()
		}
		named, ok := t.(*types.Named)
		if !ok || types.IsInterface(named) {
			return "", false // abstract: its interface type is a unit
		}
		return "m:" + named.Obj().Name() + "." + o.Name(), true
	case *types.TypeName:
		return "t:" + o.Name(), true
	case *types.Var:
		return "v:" + o.Name(), true
	case *types.Const:
		return "c:" + o.Name(), true
	}
	return "", false
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
