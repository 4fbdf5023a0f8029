package nn

import "fmt"

// Activation selects the elementwise nonlinearity fused into a Linear layer.
type Activation int

const (
	// ActIdentity applies no nonlinearity.
	ActIdentity Activation = iota
	// ActReLU is max(0, x).
	ActReLU
	// ActSiLU is x·σ(x), σ the logistic function (also called swish).
	ActSiLU
)

var activationNames = [...]string{"identity", "relu", "silu"}

// String names the activation as in serialized configurations.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// MarshalText writes the activation's name (used in JSON configurations).
func (a Activation) MarshalText() ([]byte, error) {
	if a < 0 || int(a) >= len(activationNames) {
		return nil, fmt.Errorf("%w: unknown activation %d", ErrConfig, int(a))
	}
	return []byte(activationNames[a]), nil
}

// UnmarshalText parses an activation name.
func (a *Activation) UnmarshalText(b []byte) error {
	for i, n := range activationNames {
		if n == string(b) {
			*a = Activation(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown activation %q", ErrConfig, b)
}

// biasActRow adds the bias to pre in place and writes act(pre) to out.
// out may alias pre for ActIdentity and ActReLU, not for ActSiLU.
func biasActRow(act Activation, pre, b, out []float32) {
	out = out[:len(pre)]
	b = b[:len(pre)]
	switch act {
	case ActIdentity:
		for j := range pre {
			pre[j] += b[j]
			out[j] = pre[j]
		}
	case ActReLU:
		for j := range pre {
			v := pre[j] + b[j]
			pre[j] = v
			out[j] = max(v, 0)
		}
	case ActSiLU:
		for j := range pre {
			pre[j] += b[j]
		}
		rowKern.sigmoidRow(pre, out)
		for j, v := range pre {
			out[j] *= v
		}
	default:
		panic(fmt.Sprintf("nn: unknown activation %d", int(act)))
	}
}

// actBackwardRow sets dpre = dy ⊙ act'(·) and adds dpre into the bias
// partial sums db. saved is what the forward pass kept: the pre-activation
// p for SiLU (act' = σ(p)(1 + p(1−σ(p))), σ recomputed into scratch), the
// output for ReLU (act' = 1 where the output is positive), nothing for the
// identity. dpre may alias dy.
func actBackwardRow(act Activation, dy, saved, dpre, db, scratch []float32) {
	dpre = dpre[:len(dy)]
	db = db[:len(dy)]
	switch act {
	case ActIdentity:
		for j, g := range dy {
			dpre[j] = g
			db[j] += g
		}
	case ActReLU:
		saved = saved[:len(dy)]
		for j, g := range dy {
			if saved[j] <= 0 {
				g = 0
			}
			dpre[j] = g
			db[j] += g
		}
	case ActSiLU:
		saved = saved[:len(dy)]
		sig := scratch[:len(dy)]
		rowKern.sigmoidRow(saved, sig)
		for j, g := range dy {
			s, p := sig[j], saved[j]
			g *= s * (1 + p*(1-s))
			dpre[j] = g
			db[j] += g
		}
	default:
		panic(fmt.Sprintf("nn: unknown activation %d", int(act)))
	}
}

// biasActPass applies biasActRow to every row, in parallel chunks.
func biasActPass(act Activation, pre *Matrix, b []float32, out *Matrix) {
	c := pre.Cols
	forChunks(pre.Rows, c, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			biasActRow(act, pre.Data[i*c:(i+1)*c], b, out.Data[i*c:(i+1)*c])
		}
	})
}

// actBackwardPass applies actBackwardRow to every row and adds the column
// sums of dpre into dbias (per-chunk partials, see sumPartials). It uses
// float32 workspace slots slot and slot+1.
func actBackwardPass(act Activation, dy, saved, dpre *Matrix, dbias []float32, ws *workspace, slot int) {
	c := dy.Cols
	nc := numChunks(dy.Rows)
	parts := ws.zero32(slot, nc*c)
	scratch := ws.buf32(slot+1, nc*c)
	forChunks(dy.Rows, c, func(k, lo, hi int) {
		part := parts[k*c : (k+1)*c]
		for i := lo; i < hi; i++ {
			var s []float32
			if saved != nil {
				s = saved.Data[i*c : (i+1)*c]
			}
			actBackwardRow(act, dy.Data[i*c:(i+1)*c], s, dpre.Data[i*c:(i+1)*c], part, scratch[k*c:(k+1)*c])
		}
	})
	sumPartials(dbias, parts, nc, ws)
}

// siluPass sets out = silu(pre) (no bias), used to recompute activations
// that backward passes need but tapes do not keep.
func siluPass(pre, out *Matrix) {
	c := pre.Cols
	forChunks(pre.Rows, c, func(_, lo, hi int) {
		src, dst := pre.Data[lo*c:hi*c], out.Data[lo*c:hi*c]
		rowKern.sigmoidRow(src, dst)
		for j, v := range src {
			dst[j] *= v
		}
	})
}

// SiLU is the module x ↦ x·σ(x), applied elementwise.
type SiLU struct{}

// ReLU is the module x ↦ max(0, x), applied elementwise.
type ReLU struct{}

// Params returns nil: SiLU has no parameters.
func (SiLU) Params() []*Param { return nil }

// Forward keeps a reference to x on the tape: do not modify x before Backward.
func (SiLU) Forward(x *Matrix, tape *Tape) *Matrix {
	return elementwise(ActSiLU, x, tape)
}

// Backward returns dy ⊙ σ(x)(1 + x(1−σ(x))).
func (SiLU) Backward(tape *Tape, dy *Matrix) *Matrix { return elementwiseBack(ActSiLU, tape, dy) }

// Params returns nil: ReLU has no parameters.
func (ReLU) Params() []*Param { return nil }

// Forward saves the output on the tape.
func (ReLU) Forward(x *Matrix, tape *Tape) *Matrix { return elementwise(ActReLU, x, tape) }

// Backward returns dy where the output is positive, 0 elsewhere.
func (ReLU) Backward(tape *Tape, dy *Matrix) *Matrix { return elementwiseBack(ActReLU, tape, dy) }

// elementwise runs a standalone activation: a copy of x through biasActRow
// with a zero bias. It saves the pre-activation (SiLU) or output (ReLU).
func elementwise(act Activation, x *Matrix, tape *Tape) *Matrix {
	pre := x.Clone() // biasActRow writes pre in place; x is the caller's
	out := NewMatrix(x.Rows, x.Cols)
	zero := make([]float32, x.Cols)
	biasActPass(act, pre, zero, out)
	if tape != nil {
		if act == ActSiLU {
			tape.Push(pre)
		} else {
			tape.Push(out)
		}
	}
	return out
}

// elementwiseBack is the backward pass of elementwise.
func elementwiseBack(act Activation, tape *Tape, dy *Matrix) *Matrix {
	saved, ok := tape.Pop().(*Matrix)
	if !ok {
		panic(fmt.Errorf("%w: %v backward: tape top is not this layer's record", ErrTape, act))
	}
	mustSameShape("activation backward", saved, dy)
	dx := NewMatrix(dy.Rows, dy.Cols)
	var ws workspace
	actBackwardPass(act, dy, saved, dx, make([]float32, dy.Cols), &ws, 0)
	return dx
}
