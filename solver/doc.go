// Package solver solves and differentiates the sample-average stochastic
// programs of Diffusion-DFL: given M samples y_1..y_M of an uncertain
// outcome, it finds the decision
//
//	z*(Y) = argmin_z (1/M) Σ_j f(y_j, z)  subject to  Gz ≤ h, Az = b
//
// and, for a downstream loss L(z*), the gradients that the paper's two
// estimators need, by implicit differentiation of the KKT conditions.
//
// # Problems
//
// A Problem gives the per-sample cost f, its gradient and Hessian in z, the
// mixed derivative ∂(∇_z f)/∂y and the constraints. The paper's three tasks
// are built in, with their constants (spec synthetic.md §2, power.md §2,
// portfolio.md §2): NewAllocation (exp(−yᵀz) on a box), NewPower
// (piecewise-quadratic generation cost with ramp limits, not smooth) and
// NewPortfolio (mean–second-moment utility on the simplex). Each has an
// exact or structured method: an interior point with active-set polish for
// the allocation, a dual method with an exact block solve for power, and a
// vertex KKT test before the QP solver for the portfolio. Projection turns
// any problem into Euclidean projection onto its feasible set, for policy
// baselines. Cost and SAAObjective evaluate the task loss.
//
// The general solvers are public too: SolveQP, a dense primal–dual
// interior-point method (Mehrotra predictor–corrector with iterative
// refinement) for convex QPs, and SolveConvex for smooth convex objectives
// given by value, gradient and Hessian. Both polish their result on the
// identified active set, so that a unique optimum is returned with
// residuals at rounding level (StatusExact).
//
// # Multipliers and derivatives
//
// Solutions satisfy ∇F(z) + Gᵀλ + Aᵀν = 0 with λ ≥ 0 (Solution). With
// a = dL/dz* and K the KKT Jacobian (kkt.go), Differentiate solves one
// adjoint system Kᵀu = [a; 0] and returns, per sample,
//
//	w_j      = −u_zᵀ ∇_z f(y_j, z*)                (score function, no 1/M)
//	dL/dy_j  = −(1/M) (∂(∇_z f)/∂y_j)ᵀ u_z          (reparameterization)
//
// so that dL/dθ ≈ (1/M) Σ_j w_j ∇_θ log p_θ(y_j) for sampled y_j, and
// dL/dθ = Σ_j (dL/dy_j)ᵀ ∂y_j/∂θ for reparameterized ones. A deterministic
// point prediction is the case M = 1. Batches of independent problems run
// on several goroutines with results that do not depend on their number
// (SolveBatch, DifferentiateBatch); Pool makes one problem of several.
//
// Non-smooth and degenerate cases have documented conventions rather than
// arbitrary answers: power hours on a kink are pinned to their sample
// (Power, KinkRule), the portfolio's degenerate vertex duals follow
// portfolio.md §2.3 (Portfolio), active constraints are identified with a
// tolerance relative to the problem's scale and multipliers
// (kkt_active.go), weakly active rows give one-sided derivatives, and a K
// that is singular even then is regularized with a floor that bounds the
// result, and reported (KKTInfo). Where the exact derivative is zero (an LP-like vertex),
// DiffOptions.Smooth differentiates a barrier-smoothed problem instead. The
// reference implementation's own forms — averaged or incomplete mixed
// derivatives, H = I at kinks, the 1e-6 ridge — are available as named
// options (ReferenceOptions) to reproduce its numbers.
//
// # Errors
//
// Shape mismatches are programmer errors and panic with an error wrapping
// ErrDimension (gonum's convention). Everything else is returned as an
// error wrapping one sentinel: ErrNaN for non-finite input, ErrOption for
// an option out of range, ErrInfeasible, ErrUnbounded, ErrNotConvex, or
// ErrNoConvergence; test with errors.Is.
// A cancelled context ends a solve with the context's error.
package solver
