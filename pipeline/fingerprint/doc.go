// Package fingerprint computes the implementation fingerprint of a built-in
// stage kind from the Go and assembly sources of the module, embedded in
// the binary.
//
// What a kind's Run function can reach is decided at `go generate` time on
// the type-checked program (internal/reachgen: go/packages, go/ssa and
// rapid type analysis) and handed over as a reach list (Config.Reach, the
// root package's reach.json): per kind, the module's functions, methods,
// types, package variables and constants it reaches, and the packages of
// other modules it uses. An installed binary has no toolchain, so at run
// time this package only parses the embedded sources and hashes the listed
// declarations. A list older than the sources (no `go generate` since the
// last edit) is caught by a cheap check by name (stale.go): a listed
// declaration the sources lack, or a listed one that names a module
// declaration the list does not. That kind is then fingerprinted by the
// syntactic walk below, with one warning asking for `go generate`.
// Functions the list does not name (kinds declared in tests) fall back to a
// syntactic walk that over-approximates reach by name: identifiers of the
// same package, selectors into other module packages, every method of a
// reached type, every method named M wherever x.M is called on a value, and
// the init functions of reached packages.
//
// Each declaration is hashed in a normal form (encodeNode, normalNames): the
// syntax tree without positions or comments, with every identifier declared
// inside it (receiver, parameters, results, locals, labels) replaced by its
// declaration number, scope by scope, and every unexported struct field
// whose name is unique among the package's struct fields and methods
// replaced by its type and position (fieldAliases), unless the package can
// observe field names (it imports reflect or formats with %+v or %#v). So
// renaming a local or such a field, reformatting, editing comments or moving
// code between files leaves the fingerprint alone. A function declared
// without a body is hashed with the TEXT block implementing it in the
// package's .s files (comments dropped), and with all of them if none
// names it; a declaration in a cgo file is hashed with the whole file.
//
// The fingerprint also covers the version of every external module that
// reached code uses (from the binary's build information, or go.mod), the
// Go toolchain version, and the kind's manual Version salt.
//
// Parsing the sources takes tens of milliseconds, so a program caches the
// results under SourceDigest (pipeline.CacheFingerprints keeps them in the
// store): an unchanged binary never parses its sources again.
//
// Limitations: a build-tagged variant of a reached name is hashed whatever
// the platform (conservative); files embedded with //go:embed are not
// hashed; code reached only through reflection, or through a function value
// stored by an unreached initializer, is not in the reach list.
package fingerprint
