package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
)

// hashUnit returns the digest of one declaration in normal form (see
// normalNames). A function declared without a body is hashed with the
// TEXT block that implements it in the package's assembly, or with all of
// the package's assembly when no block names it; a declaration in a file
// that imports "C" is hashed with the whole file (its cgo preamble).
func (p *pkg) hashUnit(u *unit) string {
	h := sha256.New()
	encodeNode(h, u.node, normalNames(u.node, p.aliases))
	if u.file.cgo {
		h.Write(u.file.src)
	}
	if fd, ok := u.node.(*ast.FuncDecl); ok && fd.Body == nil {
		found := false
		for _, a := range p.asm {
			if b, ok := a.text[fd.Name.Name]; ok {
				found = true
				h.Write([]byte("\x00asm\x00" + a.name + "\x00"))
				h.Write(a.shared)
				h.Write(b)
			}
		}
		if !found {
			for _, a := range p.asm {
				h.Write([]byte("\x00asm\x00" + a.name + "\x00"))
				h.Write(a.src)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
