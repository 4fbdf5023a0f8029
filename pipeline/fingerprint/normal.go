package fingerprint

import (
	"go/ast"
	"strconv"
)

// normalNames returns the renamings that put one declaration in normal
// form: every identifier declared inside it (receiver, parameters, results,
// type parameters, locals, labels) becomes "$n", numbered in order of
// declaration, so renaming a local leaves the encoding alone; and every
// unexported struct field in aliases (a field name unique in its package,
// see fieldAliases) becomes its type and position, so renaming such a field
// does too. Names declared outside the declaration keep their spelling.
//
// Scopes follow the language's block structure, so a local that shadows a
// package-level name is told apart from it. Keys of composite literals keep
// their spelling (they may be field names), unless aliased.
func normalNames(n ast.Node, aliases map[string]string) map[*ast.Ident]string {
	r := &resolver{out: map[*ast.Ident]string{}, aliases: aliases, labels: map[string]string{}}
	r.open()
	switch d := n.(type) {
	case *ast.FuncDecl:
		r.labelsOf(d.Body)
		if d.Recv != nil {
			r.fields(d.Recv, true)
		}
		r.funcType(d.Type)
		if d.Body != nil {
			r.stmts(d.Body.List)
		}
	case *ast.TypeSpec:
		if d.TypeParams != nil {
			r.fields(d.TypeParams, true)
		}
		r.walk(d.Type)
	default:
		r.walk(n)
	}
	return r.out
}

// resolver tracks the local scopes of one declaration.
type resolver struct {
	scopes  []map[string]string
	next    int
	out     map[*ast.Ident]string
	aliases map[string]string
	labels  map[string]string
}

func (r *resolver) open()  { r.scopes = append(r.scopes, map[string]string{}) }
func (r *resolver) close() { r.scopes = r.scopes[:len(r.scopes)-1] }

// declare gives a new local its number in the innermost scope.
func (r *resolver) declare(id *ast.Ident) {
	if id == nil || id.Name == "_" {
		return
	}
	s := "$" + strconv.Itoa(r.next)
	r.next++
	r.scopes[len(r.scopes)-1][id.Name] = s
	r.out[id] = s
}

// use renames an identifier that refers to a local.
func (r *resolver) use(id *ast.Ident) {
	for i := len(r.scopes) - 1; i >= 0; i-- {
		if s, ok := r.scopes[i][id.Name]; ok {
			r.out[id] = s
			return
		}
	}
}

// labelsOf numbers the labels of a function body (their own namespace).
func (r *resolver) labelsOf(body *ast.BlockStmt) {
	if body == nil {
		return
	}
	ast.Inspect(body, func(n ast.Node) bool {
		if l, ok := n.(*ast.LabeledStmt); ok {
			r.labels[l.Label.Name] = "L" + strconv.Itoa(len(r.labels))
		}
		return true
	})
}

// fields walks the types of a field list and, when declare is set,
// declares its names (parameters, results, receivers, type parameters).
func (r *resolver) fields(fl *ast.FieldList, declare bool) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		r.walk(f.Type)
	}
	if !declare {
		return
	}
	for _, f := range fl.List {
		for _, n := range f.Names {
			r.declare(n)
		}
	}
}

func (r *resolver) funcType(t *ast.FuncType) {
	r.fields(t.TypeParams, true)
	r.fields(t.Params, true)
	r.fields(t.Results, true)
}

func (r *resolver) stmts(list []ast.Stmt) {
	for _, s := range list {
		r.walk(s)
	}
}

// define handles "a, b := ...": the right side first, then the new names
// (a name already declared in the innermost scope is reused).
func (r *resolver) define(a *ast.AssignStmt) {
	for _, e := range a.Rhs {
		r.walk(e)
	}
	for _, e := range a.Lhs {
		id, ok := e.(*ast.Ident)
		if !ok {
			r.walk(e)
			continue
		}
		if s, ok := r.scopes[len(r.scopes)-1][id.Name]; ok {
			r.out[id] = s
			continue
		}
		r.declare(id)
	}
}

// genDecl handles a declaration inside a function body: a var or const is
// in scope after its spec, a type from its name on.
func (r *resolver) genDecl(d *ast.GenDecl) {
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			r.walk(s.Type)
			for _, v := range s.Values {
				r.walk(v)
			}
			for _, n := range s.Names {
				r.declare(n)
			}
		case *ast.TypeSpec:
			r.declare(s.Name)
			r.fields(s.TypeParams, true)
			r.walk(s.Type)
		}
	}
}

// alias renames an aliased field name.
func (r *resolver) alias(id *ast.Ident) {
	if a, ok := r.aliases[id.Name]; ok {
		r.out[id] = a
	}
}
