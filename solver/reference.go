package solver

// ReferenceOptions returns the formulation of a built-in problem and the
// differentiation options that reproduce the reference implementation's
// gradients (Diffusion_DFL @ ca8e8d5), for comparison runs:
//
//   - Allocation: the averaged, transposed mixed derivative (synthetic.md
//     §8.4); set DiffOptions.Group to the per-context sample count S when
//     the problem pools several contexts, so each gets its own average and
//     the 1/S scale.
//   - Power: H = I without pins and the strict-comparison gradient at ties
//     (power.md §2, §7.5).
//   - Portfolio: the redundant rows z ≤ 1, K + 1e-6·I, and the
//     diag(2α y ⊙ z) Jacobian that drops −I (portfolio.md §2.3, §3.3).
//
// Other problems are returned unchanged with default options.
func ReferenceOptions(p Problem) (Problem, DiffOptions) {
	switch q := p.(type) {
	case Allocation:
		return q, DiffOptions{Mixed: MixedReference}
	case Power:
		return q, DiffOptions{Kinks: KinkReference}
	case Portfolio:
		q.UpperBounds = true
		return q, DiffOptions{Mixed: MixedReference, Ridge: 1e-6}
	}
	return p, DiffOptions{}
}
