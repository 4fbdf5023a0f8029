package stages

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/solver"
)

// solveAllocationLog is the decision rule's first retry of an allocation
// SAA program after solver.Solve failed: the same log-domain objective
// g(z) = log((1/M) Σ_j exp(−y_jᵀz)) on the solver's general, convexity-
// checked path (solver.Allocation.SolveLogChecked). A solution that did not
// meet the tolerance but whose residuals the rule accepts (usable) is kept.
// It rarely succeeds where Solve failed; the clipping retry after it is what
// the rule relies on for pathological samples.
func solveAllocationLog(ctx context.Context, a solver.Allocation, y *mat.Dense) (*solver.Solution, error) {
	sol, err := a.SolveLogChecked(ctx, y, nil)
	if err != nil && !usable(sol) {
		return sol, fmt.Errorf("log-domain allocation solve: %w", err)
	}
	return sol, nil
}
