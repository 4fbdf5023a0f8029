package nn

import (
	"os"
	"testing"
)

// TestKernelsChoice checks that the environment and the build select the
// row kernels: EnvGoKernels=1 or a build without the assembly (noasm, or
// not amd64) must run Go, which run records then name.
func TestKernelsChoice(t *testing.T) {
	if (os.Getenv(EnvGoKernels) == "1" || !haveAsm) && Kernels() != "go" {
		t.Fatalf("Kernels() = %q with %s=%q and haveAsm %v, want go", Kernels(), EnvGoKernels, os.Getenv(EnvGoKernels), haveAsm)
	}
	if k := (Adam{}); k.kern.asm {
		t.Fatal("the zero rowKernels must be the Go path")
	}
	if a := NewAdam(nil, 1); a.kern != rowKern {
		t.Fatalf("NewAdam uses kernels %+v, the process has %+v", a.kern, rowKern)
	}
}
