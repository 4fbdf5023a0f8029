package fingerprint

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// fieldAliases names the unexported struct fields of a package that the
// normal form identifies by position instead of by name: a field of a
// package-level struct type whose name is declared by no other struct
// field and no method in the package, and has no struct tag. Then every
// selector x.name and composite-literal key name: in the package can only
// mean that field, so renaming it changes nothing a kind can execute.
//
// Where a package could observe field names (it imports reflect, or
// formats with %+v or %#v, which print them) no field is aliased.
func fieldAliases(files []*parsedFile) map[string]string {
	count := map[string]int{}
	for _, pf := range files {
		if observesFieldNames(pf) {
			return nil
		}
		ast.Inspect(pf.ast, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.StructType:
				for _, f := range x.Fields.List {
					for _, id := range f.Names {
						count[id.Name]++
					}
				}
			case *ast.FuncDecl:
				if x.Recv != nil {
					count[x.Name.Name] += 2
				}
			}
			return true
		})
	}
	out := map[string]string{}
	for _, pf := range files {
		for _, d := range pf.ast.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				aliasStruct(out, count, ts.Name.Name, st)
			}
		}
	}
	return out
}

func aliasStruct(out map[string]string, count map[string]int, typ string, st *ast.StructType) {
	i := 0
	for _, f := range st.Fields.List {
		for _, id := range f.Names {
			if count[id.Name] == 1 && !ast.IsExported(id.Name) && f.Tag == nil {
				out[id.Name] = "#" + typ + "." + strconv.Itoa(i)
			}
			i++
		}
		if len(f.Names) == 0 {
			i++
		}
	}
}

// observesFieldNames reports a file that may read struct field names at
// run time.
func observesFieldNames(pf *parsedFile) bool {
	for _, im := range pf.ast.Imports {
		if im.Path.Value == `"reflect"` {
			return true
		}
	}
	s := string(pf.file.src)
	return strings.Contains(s, "%+v") || strings.Contains(s, "%#v")
}
