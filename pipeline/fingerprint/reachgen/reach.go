package reachgen

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/types"
	"os"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// File is the content of reach.json.
type File struct {
	GOOS   string           `json:"goos"`
	GOARCH string           `json:"goarch"`
	Kinds  map[string]Reach `json:"kinds"` // by qualified Run function name
}

// Reach is what one kind's Run function can reach. A unit is "import/path
// f:F", "m:T.M", "t:T", "v:x" or "c:x" (a function, method, type, package
// variable, or a constant, whose whole const group is hashed). Imports are
// the packages of other modules (not the standard library) that reached
// code uses; their module versions enter the fingerprint. Selectors are
// the names selected in reached code (x.Name) that denote something other
// than a method of a module type (a field, an interface method, a method of
// another module's type): the run-time staleness check of
// pipeline/fingerprint reads a selection x.M outside both lists, where the
// module declares a method M, as a call added since the list was made.
type Reach struct {
	Units     []string `json:"units"`
	Imports   []string `json:"imports"`
	Selectors []string `json:"selectors"`
}

// program is the loaded, type-checked module with SSA for its own packages.
type program struct {
	module string
	prog   *ssa.Program
	decls  map[types.Object]ast.Node // module declarations by object
	info   map[*types.Package]*types.Info
}

// Generate loads the module at dir and returns reach.json for the roots.
func Generate(dir string, roots []string) ([]byte, error) {
	p, err := load(dir)
	if err != nil {
		return nil, err
	}
	f := File{GOOS: "linux", GOARCH: "amd64", Kinds: map[string]Reach{}}
	for _, r := range roots {
		reach, err := p.reach(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		f.Kinds[r] = reach
	}
	b, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func load(dir string) (*program, error) {
	cfg := &packages.Config{
		Mode: packages.LoadSyntax | packages.NeedModule,
		Dir:  dir,
		Env:  append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "GOFLAGS=-mod=mod"),
	}
	// reflect is loaded from source too: RTA needs its Value type, which
	// the shallow export data of a module that never names it (one whose
	// kinds reach reflect only through other modules) leaves out.
	pkgs, err := packages.Load(cfg, "./...", "reflect")
	if err != nil {
		return nil, fmt.Errorf("load packages: %w", err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		return nil, fmt.Errorf("%d errors loading the module", n)
	}
	p := &program{decls: map[types.Object]ast.Node{}, info: map[*types.Package]*types.Info{}}
	for _, pk := range pkgs {
		if pk.Module == nil || !pk.Module.Main {
			continue // the standard library's reflect, loaded for RTA
		}
		p.module = pk.Module.Path
		p.index(pk)
	}
	p.prog, _ = ssautil.Packages(pkgs, ssa.InstantiateGenerics)
	p.prog.Build()
	if p.module == "" {
		return nil, fmt.Errorf("no main module found under %s", dir)
	}
	return p, nil
}

// index records the declarations of one module package.
func (p *program) index(pk *packages.Package) {
	p.info[pk.Types] = pk.TypesInfo
	for _, f := range pk.Syntax {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				p.decls[pk.TypesInfo.Defs[d.Name]] = d
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						p.decls[pk.TypesInfo.Defs[s.Name]] = s
					case *ast.ValueSpec:
						for _, n := range s.Names {
							p.decls[pk.TypesInfo.Defs[n]] = s
						}
					}
				}
			}
		}
	}
}
