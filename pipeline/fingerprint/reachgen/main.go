package reachgen

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/diffusion-dfl/pipe/kind"
)

// Main is the body of a project's reach-list generator: a command of a few
// lines, run by `go generate` at the module root, that passes the
// project's kind registration. With -o reach.json (the default) it writes
// the list beside go.mod, for the root package to embed:
//
//	// Command reachgen writes reach.json for this module's kinds.
//	package main
//
//	func main() { reachgen.Main(kinds.Register) }
//
// and in the root package, beside the //go:embed of the sources:
//
//	//go:generate go run ./internal/reachgen -o reach.json
//	//go:embed reach.json
//	var reach []byte
func Main(register func(*kind.Registry) error) {
	if err := run(os.Args[1:], register, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "reachgen:", err)
		os.Exit(1)
	}
}

// run parses the generator's flags, lists the kinds' Run functions and
// writes the reach list.
func run(args []string, register func(*kind.Registry) error, stderr io.Writer) error {
	fl := flag.NewFlagSet("reachgen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("o", "reach.json", "output file")
	dir := fl.String("dir", ".", "module root")
	if err := fl.Parse(args); err != nil {
		return err
	}
	roots, err := Roots(register)
	if err != nil {
		return err
	}
	b, err := Generate(*dir, roots)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("write reach list: %w", err)
	}
	return nil
}

// Roots returns the qualified name of the Run function of every kind that
// register adds: the roots of the reach list.
func Roots(register func(*kind.Registry) error) ([]string, error) {
	reg := kind.NewRegistry()
	if err := register(reg); err != nil {
		return nil, fmt.Errorf("register kinds: %w", err)
	}
	var roots []string
	for _, k := range reg.Kinds() {
		name, err := k.RunName()
		if err != nil {
			return nil, fmt.Errorf("kind %s: %w", k.Name, err)
		}
		roots = append(roots, name)
	}
	return roots, nil
}
