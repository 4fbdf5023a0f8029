package fingerprint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// unit is one package-level declaration: a function, a method, one type,
// one var spec, or a whole const group (iota makes a const's value depend on
// its neighbours).
type unit struct {
	pkg  *pkg
	key  string // "F", "T.M", "T", "x", "const(a,b)"
	node ast.Node
	file *file
}

// file is one parsed source file and the imports it names.
type file struct {
	name    string
	imports map[string]string // local name -> import path
	dots    []string          // dot-imported paths
	cgo     bool              // imports "C": hashed whole, preamble included
	src     []byte
}

// pkg is one package of the module, indexed by declared name.
type pkg struct {
	path      string
	byName    map[string][]*unit // top-level identifiers -> declarations
	methodsOf map[string][]*unit // receiver type name -> methods
	methodsBy map[string][]*unit // method name -> methods of any type
	inits     []*unit
	asm       []*asmFile        // hashed with the body-less funcs they implement
	aliases   map[string]string // unexported fields named by position (fieldAliases)
	dir       string
}

// loadPackage parses the package with the given import path from the module
// sources. External test packages ("x_test") are found in the directory of x.
func (f *Fingerprinter) loadPackage(importPath string) (*pkg, error) {
	if p, ok := f.pkgs[importPath]; ok {
		return p, nil
	}
	rel, ok := f.relDir(importPath)
	if !ok {
		return nil, fmt.Errorf("%s is not in module %s", importPath, f.module)
	}
	wantTest := strings.HasSuffix(importPath, "_test") && f.cfg.Tests
	if wantTest {
		rel = strings.TrimSuffix(rel, "_test")
	}
	entries, err := fs.ReadDir(f.cfg.Sources, rel)
	if err != nil {
		return nil, fmt.Errorf("package %s is not in the embedded module sources (add its directory to sources.go): %w", importPath, err)
	}
	p := &pkg{path: importPath, dir: rel, byName: map[string][]*unit{}, methodsOf: map[string][]*unit{}, methodsBy: map[string][]*unit{}}
	byPkg := map[string][]*parsedFile{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
		case strings.HasSuffix(name, ".s"):
			src, err := fs.ReadFile(f.cfg.Sources, path.Join(rel, name))
			if err != nil {
				return nil, err
			}
			p.asm = append(p.asm, parseAsm(path.Join(rel, name), src))
		case strings.HasSuffix(name, ".go") && (f.cfg.Tests || !strings.HasSuffix(name, "_test.go")):
			pf, err := f.parseFile(path.Join(rel, name))
			if err != nil {
				return nil, err
			}
			byPkg[pf.ast.Name.Name] = append(byPkg[pf.ast.Name.Name], pf)
		}
	}
	files := byPkg[choosePackage(byPkg, wantTest)]
	if len(files) == 0 {
		return nil, fmt.Errorf("package %s has no Go files in the embedded module sources (add its directory to sources.go)", importPath)
	}
	for _, pf := range files {
		for _, d := range pf.ast.Decls {
			p.index(pf.file, d)
		}
	}
	p.aliases = fieldAliases(files)
	f.pkgs[importPath] = p
	return p, nil
}

// choosePackage picks the package clause of a directory: the external test
// package when asked for one, otherwise the most common other name
// (directories can hold a package main generator behind a build tag).
func choosePackage(byPkg map[string][]*parsedFile, wantTest bool) string {
	best := ""
	for name, files := range byPkg {
		if strings.HasSuffix(name, "_test") != wantTest {
			continue
		}
		if best == "" || len(files) > len(byPkg[best]) || (len(files) == len(byPkg[best]) && name < best) {
			best = name
		}
	}
	return best
}

// relDir maps an import path of the module to its directory in Sources.
func (f *Fingerprinter) relDir(importPath string) (string, bool) {
	if importPath == f.module || importPath == f.module+"_test" {
		return "." + strings.TrimPrefix(importPath, f.module), true
	}
	rel, ok := strings.CutPrefix(importPath, f.module+"/")
	return rel, ok
}

type parsedFile struct {
	ast  *ast.File
	file *file
}

// parseFile parses one source file without comments (they never enter the
// fingerprint) and records its imports.
func (f *Fingerprinter) parseFile(name string) (*parsedFile, error) {
	src, err := fs.ReadFile(f.cfg.Sources, name)
	if err != nil {
		return nil, err
	}
	af, err := parser.ParseFile(f.fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	fl := &file{name: name, imports: map[string]string{}, src: src}
	for _, im := range af.Imports {
		ip, _ := strconv.Unquote(im.Path.Value)
		local := defaultName(ip)
		if im.Name != nil {
			local = im.Name.Name
		}
		switch {
		case ip == "C":
			fl.cgo = true
		case local == ".":
			fl.dots = append(fl.dots, ip)
		case local != "_":
			fl.imports[local] = ip
		}
	}
	return &parsedFile{ast: af, file: fl}, nil
}

// index adds the declarations of one top-level decl to the package.
func (p *pkg) index(fl *file, d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		u := &unit{pkg: p, key: d.Name.Name, node: d, file: fl}
		if d.Recv == nil {
			if d.Name.Name == "init" {
				p.inits = append(p.inits, u)
				return
			}
			p.byName[d.Name.Name] = append(p.byName[d.Name.Name], u)
			return
		}
		recv := recvName(d.Recv.List[0].Type)
		u.key = recv + "." + d.Name.Name
		p.methodsOf[recv] = append(p.methodsOf[recv], u)
		p.methodsBy[d.Name.Name] = append(p.methodsBy[d.Name.Name], u)
	case *ast.GenDecl:
		p.indexGen(fl, d)
	}
}

func (p *pkg) indexGen(fl *file, d *ast.GenDecl) {
	if d.Tok == token.CONST {
		var names []string
		for _, s := range d.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
			}
		}
		u := &unit{pkg: p, key: "const(" + strings.Join(names, ",") + ")", node: d, file: fl}
		for _, n := range names {
			p.byName[n] = append(p.byName[n], u)
		}
		return
	}
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			u := &unit{pkg: p, key: s.Name.Name, node: s, file: fl}
			p.byName[s.Name.Name] = append(p.byName[s.Name.Name], u)
		case *ast.ValueSpec:
			names := make([]string, len(s.Names))
			for i, n := range s.Names {
				names[i] = n.Name
			}
			u := &unit{pkg: p, key: "var(" + strings.Join(names, ",") + ")", node: s, file: fl}
			for _, n := range names {
				p.byName[n] = append(p.byName[n], u)
			}
		}
	}
}

// recvName returns the type name of a method receiver: T, *T, T[K], *T[K].
func recvName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// defaultName guesses the package name of an import path: its last element
// without a major-version suffix ("go.yaml.in/yaml/v3" and "gopkg.in/yaml.v3"
// are package yaml). A wrong guess only makes the walk more conservative.
func defaultName(ip string) string {
	parts := strings.Split(ip, "/")
	last := parts[len(parts)-1]
	if len(parts) > 1 && isMajor(last) {
		last = parts[len(parts)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 && isMajor(last[i+1:]) {
		last = last[:i]
	}
	return strings.ReplaceAll(last, "-", "_")
}

func isMajor(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
