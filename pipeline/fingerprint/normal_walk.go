package fingerprint

import (
	"go/ast"
	"go/token"
)

// walk resolves the identifiers of one node; the node kinds that open a
// scope or declare names are handled here, the rest by walking children.
func (r *resolver) walk(n ast.Node) {
	switch x := n.(type) {
	case nil:
	case *ast.Ident:
		if x != nil {
			r.use(x)
		}
	case *ast.SelectorExpr:
		r.walk(x.X)
		r.alias(x.Sel)
	case *ast.CompositeLit:
		r.walk(x.Type)
		for _, e := range x.Elts {
			if kv, ok := e.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					r.alias(id)
				} else {
					r.walk(kv.Key)
				}
				r.walk(kv.Value)
				continue
			}
			r.walk(e)
		}
	case *ast.StructType:
		for _, f := range x.Fields.List {
			r.walk(f.Type)
			for _, id := range f.Names {
				r.alias(id)
			}
		}
	case *ast.InterfaceType:
		for _, f := range x.Methods.List {
			r.walk(f.Type)
		}
	case *ast.FuncLit:
		r.open()
		r.funcType(x.Type)
		r.stmts(x.Body.List)
		r.close()
	case *ast.FuncType:
		r.fields(x.TypeParams, false)
		r.fields(x.Params, false)
		r.fields(x.Results, false)
	default:
		r.stmt(n)
	}
}

// stmt handles statements that scope or declare names.
func (r *resolver) stmt(n ast.Node) {
	switch x := n.(type) {
	case *ast.BlockStmt:
		r.open()
		r.stmts(x.List)
		r.close()
	case *ast.AssignStmt:
		if x.Tok == token.DEFINE {
			r.define(x)
			return
		}
		r.children(n)
	case *ast.DeclStmt:
		r.genDecl(x.Decl.(*ast.GenDecl))
	case *ast.IfStmt:
		r.open()
		r.walkAll(x.Init, x.Cond, x.Body, x.Else)
		r.close()
	case *ast.ForStmt:
		r.open()
		r.walkAll(x.Init, x.Cond, x.Post, x.Body)
		r.close()
	case *ast.RangeStmt:
		r.open()
		r.walk(x.X)
		r.rangeVars(x)
		r.walk(x.Body)
		r.close()
	case *ast.SwitchStmt:
		r.open()
		r.walkAll(x.Init, x.Tag, x.Body)
		r.close()
	case *ast.TypeSwitchStmt:
		r.open()
		r.walkAll(x.Init, x.Assign, x.Body)
		r.close()
	case *ast.CaseClause:
		r.open()
		for _, e := range x.List {
			r.walk(e)
		}
		r.stmts(x.Body)
		r.close()
	case *ast.CommClause:
		r.open()
		r.walkAll(x.Comm)
		r.stmts(x.Body)
		r.close()
	case *ast.LabeledStmt:
		r.label(x.Label)
		r.walk(x.Stmt)
	case *ast.BranchStmt:
		r.label(x.Label)
	default:
		r.children(n)
	}
}

// walkAll walks optional children (absent ones are nil interfaces).
func (r *resolver) walkAll(nodes ...ast.Node) {
	for _, n := range nodes {
		if n != nil {
			r.walk(n)
		}
	}
}

func (r *resolver) rangeVars(x *ast.RangeStmt) {
	for _, e := range []ast.Expr{x.Key, x.Value} {
		if e == nil {
			continue
		}
		if id, ok := e.(*ast.Ident); ok && x.Tok == token.DEFINE {
			r.declare(id)
			continue
		}
		r.walk(e)
	}
}

func (r *resolver) label(id *ast.Ident) {
	if id == nil {
		return
	}
	if s, ok := r.labels[id.Name]; ok {
		r.out[id] = s
	}
}

// children walks the direct children of a node.
func (r *resolver) children(n ast.Node) {
	ast.Inspect(n, func(c ast.Node) bool {
		if c == n {
			return true
		}
		if c != nil {
			r.walk(c)
		}
		return false
	})
}
