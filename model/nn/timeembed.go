package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Sinusoid returns the sinusoidal embedding of the integer steps t, one row
// of dim values per step (synthetic.md §3): with h = dim/2 and frequencies
// f_k = exp(−ln(10⁴)·k/h), k = 0..h−1, row i is
// [cos(t_i·f_0) … cos(t_i·f_{h−1}), sin(t_i·f_0) … sin(t_i·f_{h−1})].
// It is evaluated in float64 and rounded once. dim must be even.
func Sinusoid(t []int, dim int) *Matrix {
	if dim <= 0 || dim%2 != 0 {
		panic(fmt.Errorf("%w: sinusoidal embedding dimension %d must be even and positive", ErrConfig, dim))
	}
	m := NewMatrix(len(t), dim)
	sinusoidInto(t, m)
	return m
}

// sinusoidInto writes the embedding of t into the rows of m.
func sinusoidInto(t []int, m *Matrix) {
	for i, ti := range t {
		sinusoidRow(ti, m.Row(i))
	}
}

// sinusoidRow writes the embedding of step t into row.
func sinusoidRow(t int, row []float32) {
	h := len(row) / 2
	for k := range h {
		f := math.Exp(-math.Log(10000) * float64(k) / float64(h))
		s, c := math.Sincos(float64(t) * f)
		row[k] = float32(c)
		row[h+k] = float32(s)
	}
}

// sinCacheMax bounds the steps whose sinusoids a TimeEmbedding caches
// (T = 1000 in the reference); larger or negative steps are computed.
const sinCacheMax = 1 << 14

// TimeEmbedding maps an integer diffusion step to a learned vector: the
// sinusoid of Sinusoid followed by Linear(Dim, Hidden) → SiLU →
// Linear(Hidden, Dim) (synthetic.md §3; the reference uses Dim 16, Hidden
// 256).
//
// Rows that share a step share the embedding, so the MLP runs once per
// distinct step in a batch (a DDIM step has one, a training batch of 1024
// rows about 650 of T = 1000), which also keeps its tape record small.
type TimeEmbedding struct {
	Dim, Hidden int
	L1, L2      *Linear
	ws          workspace
	sinCache    []float32 // sinusoids of steps 0, 1, …, computed on demand
}

// NewTimeEmbedding returns the embedding with PyTorch-default initialized
// layers named prefix+".0" and prefix+".2" (the indices of the Linear
// layers in the reference's nn.Sequential).
func NewTimeEmbedding(prefix string, dim, hidden int, rng *rand.Rand) *TimeEmbedding {
	if dim <= 0 || dim%2 != 0 || hidden <= 0 {
		panic(fmt.Errorf("%w: time embedding dim %d (must be even), hidden %d", ErrConfig, dim, hidden))
	}
	return &TimeEmbedding{
		Dim: dim, Hidden: hidden,
		L1: NewLinear(join(prefix, "0"), dim, hidden, ActSiLU, rng),
		L2: NewLinear(join(prefix, "2"), hidden, dim, ActIdentity, rng),
	}
}

// Params returns the two layers' weights and biases.
func (te *TimeEmbedding) Params() []*Param {
	return append(te.L1.Params(), te.L2.Params()...)
}

// timeRecord is the tape record of one embedding: the distinct steps, each
// row's index among them, and the first layer's pre-activation per distinct
// step. The sinusoid and the SiLU output are recomputed in backward.
type timeRecord struct {
	te   *TimeEmbedding
	uniq []int
	idx  []int32
	pre  *Matrix
}

// TapeBytes counts the row indices, the distinct steps and the pre-activation.
func (r *timeRecord) TapeBytes() int64 {
	return 4*int64(len(r.idx)) + 8*int64(len(r.uniq)) + 4*int64(len(r.pre.Data))
}

// distinct returns the sorted distinct values of t and, for every row, the
// index of its value among them. Steps span a small range (0..T−1), so a
// table indexed by value replaces sorting.
func distinct(t []int) (uniq []int, idx []int32) {
	idx = make([]int32, len(t))
	if len(t) == 0 {
		return nil, idx
	}
	lo, hi := slices.Min(t), slices.Max(t)
	if hi-lo >= 1<<20 {
		uniq = slices.Compact(slices.Sorted(slices.Values(t)))
		for i, v := range t {
			idx[i] = int32(sort.SearchInts(uniq, v))
		}
		return uniq, idx
	}
	pos := make([]int32, hi-lo+1) // 0: absent, else 1 + index in uniq
	for _, v := range t {
		pos[v-lo] = 1
	}
	for k, p := range pos {
		if p != 0 {
			uniq = append(uniq, lo+k)
			pos[k] = int32(len(uniq))
		}
	}
	for i, v := range t {
		idx[i] = pos[v-lo] - 1
	}
	return uniq, idx
}

// sinusoids writes the embedding of the steps into the rows of m, from the
// cache for steps in [0, sinCacheMax).
func (te *TimeEmbedding) sinusoids(t []int, m *Matrix) {
	d := te.Dim
	for i, ti := range t {
		if ti < 0 || ti >= sinCacheMax {
			sinusoidRow(ti, m.Row(i))
			continue
		}
		for n := len(te.sinCache) / d; n <= ti; n++ {
			te.sinCache = append(te.sinCache, make([]float32, d)...)
			sinusoidRow(n, te.sinCache[n*d:])
		}
		copy(m.Row(i), te.sinCache[ti*d:(ti+1)*d])
	}
}

// table computes the embedding of each distinct step. The returned table
// lives in the workspace and is valid until the next call.
func (te *TimeEmbedding) table(t []int, tape *Tape) (*Matrix, []int32) {
	uniq, idx := distinct(t)
	u := len(uniq)
	emb := view(te.ws.buf32(0, u*te.Dim), u, te.Dim)
	te.sinusoids(uniq, emb)
	var pre *Matrix
	if tape != nil {
		pre = view(te.ws.slabs.take(u*te.Hidden), u, te.Hidden)
	} else {
		pre = view(te.ws.buf32(1, u*te.Hidden), u, te.Hidden)
	}
	hid := view(te.ws.buf32(2, u*te.Hidden), u, te.Hidden)
	te.ws.gemm.matMulT(emb, te.L1.Weight.W, pre)
	biasActPass(ActSiLU, pre, te.L1.Bias.W.Data, hid)
	out := view(te.ws.buf32(3, u*te.Dim), u, te.Dim)
	te.ws.gemm.matMulT(hid, te.L2.Weight.W, out)
	biasActPass(ActIdentity, out, te.L2.Bias.W.Data, out)
	if tape != nil {
		tape.Push(&timeRecord{te: te, uniq: uniq, idx: idx, pre: pre})
	}
	return out, idx
}

// pop takes this embedding's record off the tape.
func (te *TimeEmbedding) pop(tape *Tape) *timeRecord {
	rec, ok := tape.Pop().(*timeRecord)
	if !ok || rec.te != te {
		panic(fmt.Errorf("%w: TimeEmbedding backward", ErrTape))
	}
	return rec
}

// backwardTable back-propagates dT, the gradient with respect to each
// distinct step's embedding in rec, into the parameters.
func (te *TimeEmbedding) backwardTable(rec *timeRecord, dT *Matrix) {
	u := len(rec.uniq)
	mustSameShape("TimeEmbedding backward", dT, &Matrix{Rows: u, Cols: te.Dim})
	hid := view(te.ws.buf32(2, u*te.Hidden), u, te.Hidden)
	siluPass(rec.pre, hid)
	dOut := view(te.ws.buf32(4, u*te.Dim), u, te.Dim)
	actBackwardPass(ActIdentity, dT, nil, dOut, te.L2.Bias.G.Data, &te.ws, 7)
	te.ws.gemm.addMatTMul(dOut, hid, te.L2.Weight.G)
	dHid := view(te.ws.buf32(5, u*te.Hidden), u, te.Hidden)
	te.ws.gemm.matMul(dOut, te.L2.Weight.W, dHid)
	actBackwardPass(ActSiLU, dHid, rec.pre, dHid, te.L1.Bias.G.Data, &te.ws, 7)
	emb := view(te.ws.buf32(0, u*te.Dim), u, te.Dim)
	te.sinusoids(rec.uniq, emb)
	te.ws.gemm.addMatTMul(dHid, emb, te.L1.Weight.G)
	te.ws.slabs.give(rec.pre.Data)
}

// Forward returns the embedding of each step t[i] as row i. It is not a
// Module: its input is integers and it has no input gradient.
func (te *TimeEmbedding) Forward(t []int, tape *Tape) *Matrix {
	tab, idx := te.table(t, tape)
	out := NewMatrix(len(t), te.Dim)
	for i, k := range idx {
		copy(out.Row(i), tab.Row(int(k)))
	}
	return out
}

// Backward pops Forward's record and adds the parameter gradients for
// dy = dL/d(embedding rows).
func (te *TimeEmbedding) Backward(tape *Tape, dy *Matrix) {
	rec := te.pop(tape)
	mustSameShape("TimeEmbedding.Backward", dy, &Matrix{Rows: len(rec.idx), Cols: te.Dim})
	te.backwardTable(rec, te.scatter(dy, rec.idx, len(rec.uniq), 0))
}

// scatter sums the rows of d[:, off:off+Dim] that share a step into one row
// per distinct step, in float64 and in row order.
func (te *TimeEmbedding) scatter(d *Matrix, idx []int32, u, off int) *Matrix {
	acc := te.ws.zero64(1, u*te.Dim)
	for i, k := range idx {
		row := d.Data[i*d.Cols+off : i*d.Cols+off+te.Dim]
		dst := acc[int(k)*te.Dim : (int(k)+1)*te.Dim]
		for j, v := range row {
			dst[j] += float64(v)
		}
	}
	dT := view(te.ws.buf32(6, u*te.Dim), u, te.Dim)
	for j, v := range acc {
		dT.Data[j] = float32(v)
	}
	return dT
}
