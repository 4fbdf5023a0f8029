package solver_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/solver"
)

// A one-dimensional allocation: nine samples of 0.5 and one of −1.5. The
// SAA optimum of exp(−yz) is z* = ln(3)/2. The downstream loss is the cost
// at a realised outcome y = 0.3, so a = dL/dz* = −0.3·exp(−0.3z*). By hand:
// H = ∂²F/∂z²(z*) = 0.6839, u = a/H = −0.3721, w_j = −u·f'(y_j, z*) and
// dL/dy_j = −(1/10)·exp(−y_j z*)(−1 + y_j z*)·u.
func Example() {
	y := mat.NewDense(10, 1, []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -1.5})
	p := solver.Allocation{N: 1, C: 2}
	sol, err := solver.Solve(context.Background(), p, y, nil)
	if err != nil {
		panic(err)
	}
	a := make([]float64, 1)
	p.Grad(a, []float64{0.3}, sol.Z)
	sens, err := solver.Differentiate(p, y, sol, a, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("z* = %.4f (%v)\n", sol.Z[0], sol.Status)
	fmt.Printf("score weights: w_0 = %.4f, w_9 = %.4f\n", sens.Weights[0], sens.Weights[9])
	fmt.Printf("dL/dy: sample 0 %.4f, sample 9 %.4f\n", sens.DY.At(0, 0), sens.DY.At(9, 0))
	// Output:
	// z* = 0.5493 (exact)
	// score weights: w_0 = -0.1413, w_9 = 1.2721
	// dL/dy: sample 0 -0.0205, sample 9 -0.1547
}

// The power problem at the paper's constants: with no binding ramp each hour
// is scheduled at its largest sample, and the exact-kink derivative moves
// that hour with that sample only.
func ExamplePower() {
	y := mat.NewDense(3, 3, []float64{
		1.00, 1.20, 1.30,
		1.05, 1.10, 1.35,
		0.95, 1.25, 1.20,
	})
	p := solver.Power{N: 3, GammaU: 50, GammaO: 0.5, Ramp: 0.4}
	sol, err := solver.Solve(context.Background(), p, y, nil)
	if err != nil {
		panic(err)
	}
	sens, err := solver.Differentiate(p, y, sol, []float64{1, 1, 1}, &solver.DiffOptions{Want: solver.WantDY})
	if err != nil {
		panic(err)
	}
	fmt.Println("z* =", sol.Z, "kinks:", sol.Kinks)
	fmt.Println("dL/dy:", mat.Formatted(sens.DY, mat.Squeeze()))
	// Output:
	// z* = [1.05 1.25 1.35] kinks: [{0 1} {1 2} {2 1}]
	// dL/dy: ⎡0  0  0⎤
	// ⎢1  0  1⎥
	// ⎣0  1  0⎦
}

// Reproducing the reference's portfolio gradients: the redundant bounds
// z ≤ 1, K + 1e-6·I and its diagonal Jacobian.
func ExampleReferenceOptions() {
	y := mat.NewDense(2, 3, []float64{0.01, 0.03, -0.02, 0.02, 0.01, 0.00})
	p, opts := solver.ReferenceOptions(solver.Portfolio{N: 3, Alpha: 1e-6})
	sol, err := solver.Solve(context.Background(), p, y, nil)
	if err != nil {
		panic(err)
	}
	a := []float64{-0.01, -0.02, 0.01} // dL/dz for L = −(realised return)
	sens, err := solver.Differentiate(p, y, sol, a, &opts)
	if err != nil {
		panic(err)
	}
	fmt.Println("z* =", sol.Z, "ridge", sens.Reparam.Ridge, "weakly active", sens.Reparam.WeaklyActive)
	// Output:
	// z* = [0 1 0] ridge 1e-06 weakly active 1
}
