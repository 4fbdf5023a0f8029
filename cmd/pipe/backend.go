package main

import (
	"github.com/diffusion-dfl/pipe/internal/openblas"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// backend names the numeric backend built-in stages run on in this process,
// for run records: the BLAS gonum uses (set by openblas.UseFromEnv before a
// run) and the model/nn kernels.
func backend() string {
	return openblas.Describe() + "; nn kernels " + nn.Kernels()
}
