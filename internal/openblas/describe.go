package openblas

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas32"
)

// Describe names the BLAS that gonum's products use now: "openblas" with
// its build and thread count when Use installed it, else "gonum (pure Go)".
// OpenBLAS and gonum, or OpenBLAS with different thread counts, round
// differently, so run records keep this line.
func Describe() string {
	if !Enabled() {
		return "gonum (pure Go)"
	}
	impl := blas32.Implementation().(Implementation)
	return fmt.Sprintf("openblas %s", impl.lib.String())
}
