package fingerprint

import (
	"bufio"
	"bytes"
	"strings"
)

// asmFile is one assembly file split into the TEXT blocks of the functions
// it implements and the shared rest (#include, #define, DATA, GLOBL),
// each with comments and blank lines removed.
type asmFile struct {
	name   string
	src    []byte
	shared []byte
	text   map[string][]byte // Go function name -> its TEXT block
}

// parseAsm splits an assembly file. A block runs from its TEXT line to the
// next TEXT line; a symbol "·name(SB)" or "·name<ABIInternal>(SB)" names
// the Go function name of the same package.
func parseAsm(name string, src []byte) *asmFile {
	a := &asmFile{name: name, src: src, text: map[string][]byte{}}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(stripAsmComment(sc.Text()))
		if line == "" {
			continue
		}
		if f := strings.Fields(line); f[0] == "TEXT" && len(f) > 1 {
			cur = asmSymbol(f[1])
		}
		if cur == "" {
			a.shared = append(append(a.shared, line...), '\n')
			continue
		}
		a.text[cur] = append(append(a.text[cur], line...), '\n')
	}
	return a
}

// asmSymbol returns the Go name of a TEXT symbol, "" for other symbols.
func asmSymbol(sym string) string {
	sym = strings.TrimSuffix(strings.TrimSuffix(sym, ","), "(SB)")
	i := strings.Index(sym, "·")
	if i < 0 {
		return "?" + sym
	}
	sym = sym[i+len("·"):]
	if j := strings.IndexByte(sym, '<'); j >= 0 {
		sym = sym[:j]
	}
	return sym
}

func stripAsmComment(line string) string {
	if i := strings.Index(line, "//"); i >= 0 {
		return line[:i]
	}
	return line
}
