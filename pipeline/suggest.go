package pipeline

import "github.com/diffusion-dfl/pipe/internal/suggest"

// Suggest returns ` (did you mean "x"?)` when one of candidates is close to
// name, else "" (see internal/suggest). Error messages append it after an
// unknown stage, kind, param or command.
func Suggest(name string, candidates []string) string { return suggest.For(name, candidates) }
