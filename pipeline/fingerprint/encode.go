package fingerprint

import (
	"go/ast"
	"go/token"
	"hash"
	"reflect"
	"strconv"
)

var (
	identType   = reflect.TypeOf(ast.Ident{})
	posType     = reflect.TypeOf(token.Pos(0))
	objectType  = reflect.TypeOf((*ast.Object)(nil))
	scopeType   = reflect.TypeOf((*ast.Scope)(nil))
	commentType = reflect.TypeOf((*ast.CommentGroup)(nil))
)

// encodeNode writes a position-free, comment-free encoding of an AST node:
// the Go type of every node, every field value that is not a position, and
// an explicit marker for nil children, so that two nodes encode equally
// exactly when they are the same syntax tree up to the identifiers renamed
// by names (local names and aliased fields, see normalNames).
func encodeNode(h hash.Hash, n any, names map[*ast.Ident]string) {
	e := encoder{h: h, names: names}
	e.value(reflect.ValueOf(n))
}

type encoder struct {
	h     hash.Hash
	names map[*ast.Ident]string
}

func (e encoder) value(v reflect.Value) {
	h := e.h
	if v.Kind() == reflect.Struct && v.Type() == identType && v.CanAddr() {
		if s, ok := e.names[v.Addr().Interface().(*ast.Ident)]; ok {
			h.Write([]byte("{Ident" + strconv.Itoa(len(s)) + "=" + s + "}"))
			return
		}
	}
	switch v.Kind() {
	case reflect.Invalid:
		h.Write([]byte{0})
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			h.Write([]byte("~"))
			return
		}
		e.value(v.Elem())
	case reflect.Struct:
		t := v.Type()
		h.Write([]byte("{" + t.Name()))
		for i := 0; i < t.NumField(); i++ {
			ft := t.Field(i).Type
			if ft == posType || ft == objectType || ft == scopeType || ft == commentType {
				continue
			}
			e.value(v.Field(i))
		}
		h.Write([]byte("}"))
	case reflect.Slice:
		h.Write([]byte("[" + strconv.Itoa(v.Len())))
		for i := 0; i < v.Len(); i++ {
			e.value(v.Index(i))
		}
		h.Write([]byte("]"))
	case reflect.String:
		s := v.String()
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h.Write([]byte("i" + strconv.FormatInt(v.Int(), 10)))
	case reflect.Bool:
		h.Write([]byte("b" + strconv.FormatBool(v.Bool())))
	default:
		h.Write([]byte("?" + v.Kind().String()))
	}
}
