package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// blasBackend is the numeric backend of the built-in stages: the BLAS
// gonum uses, which PIPE_BLAS selects (OpenBLAS when it loads, with a
// fixed thread count so results do not depend on the machine's core
// count), and the model/nn kernels.
type blasBackend struct{}

// Describe names the backend for run records.
func (blasBackend) Describe() string {
	return openblas.Describe() + "; nn kernels " + nn.Kernels()
}

// Use installs the BLAS that PIPE_BLAS selects for the built-in stages.
// When OpenBLAS was wanted (PIPE_BLAS unset or auto) but did not load, and
// the run has built-in stages, it says so once on w: the pure-Go kernels
// give the same results up to rounding but make the paper's main job take
// several times longer, which a newcomer would otherwise only notice as a
// run that never ends.
func (blasBackend) Use(w io.Writer, builtin bool) error {
	info, err := openblas.UseFromEnv()
	if err != nil {
		return err
	}
	if openblas.Enabled() || !builtin {
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
