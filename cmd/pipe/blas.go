package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/diffusion-dfl/pipe/internal/openblas"
)

// useBLAS installs the BLAS that PIPE_BLAS selects for the built-in stages.
// When OpenBLAS was wanted (PIPE_BLAS unset or auto) but did not load, and
// the run has built-in stages, it says so once on w: the pure-Go kernels
// give the same results up to rounding but make the paper's main job take
// several times longer, which a newcomer would otherwise only notice as a
// run that never ends.
func useBLAS(w io.Writer, ws *workspace, closure []string) error {
	info, err := openblas.UseFromEnv()
	if err != nil {
		return err
	}
	if openblas.Enabled() || !hasBuiltin(ws, closure) {
		return nil
	}
	if strings.EqualFold(strings.TrimSpace(os.Getenv(openblas.EnvBackend)), "go") {
		return nil
	}
	fmt.Fprintf(w, "warning: %s\n  the built-in stages' matrix products run on the pure-Go kernels, several times slower;\n"+
		"  install OpenBLAS (Debian: apt-get install libopenblas0-pthread), or set %s=go to silence this\n",
		info, openblas.EnvBackend)
	return nil
}

// hasBuiltin reports whether any stage of closure is a built-in kind.
func hasBuiltin(ws *workspace, closure []string) bool {
	for _, n := range closure {
		if s, ok := ws.file.Stages[n]; ok && s.Impl != nil {
			return true
		}
	}
	return false
}
