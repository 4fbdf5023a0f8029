package nn

import (
	"fmt"
	"math/rand/v2"
)

// Sequential chains modules: the output of each is the input of the next.
type Sequential struct {
	Layers []Module
}

// NewSequential chains the given modules.
func NewSequential(layers ...Module) *Sequential { return &Sequential{Layers: layers} }

// Params concatenates the layers' parameters in layer order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Forward runs the layers in order.
func (s *Sequential) Forward(x *Matrix, tape *Tape) *Matrix {
	for _, l := range s.Layers {
		x = l.Forward(x, tape)
	}
	return x
}

// Backward runs the layers' backward passes in reverse order.
func (s *Sequential) Backward(tape *Tape, dy *Matrix) *Matrix {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(tape, dy)
	}
	return dy
}

// MLPConfig describes a multilayer perceptron: Sizes[0] inputs, hidden
// layers of Sizes[1..n−2] units each followed by Act (and by a LayerNorm
// when LayerNorm is set), and a final Linear to Sizes[n−1] outputs with no
// activation.
type MLPConfig struct {
	Sizes     []int      `json:"sizes"`
	Act       Activation `json:"act"`
	LayerNorm bool       `json:"layer_norm"`
}

// Validate reports a configuration that cannot build a network.
func (c MLPConfig) Validate() error {
	if len(c.Sizes) < 2 {
		return fmt.Errorf("%w: MLP needs at least input and output sizes, got %v", ErrConfig, c.Sizes)
	}
	for i, n := range c.Sizes {
		if n <= 0 {
			return fmt.Errorf("%w: MLP size %d is %d", ErrConfig, i, n)
		}
	}
	if c.Act != ActReLU && c.Act != ActSiLU {
		return fmt.Errorf("%w: MLP activation %v, want relu or silu", ErrConfig, c.Act)
	}
	return nil
}

// MLP is a multilayer perceptron built from MLPConfig.
type MLP struct {
	Sequential
	Config MLPConfig
}

// NewMLP builds the network with PyTorch's default initialization, drawing
// the layers' parameters from rng in order. Layer i's parameters are named
// "layers.i.weight" and "layers.i.bias" (LayerNorms count as layers). It
// panics on an invalid configuration.
func NewMLP(cfg MLPConfig, rng *rand.Rand) *MLP {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	m := &MLP{Config: cfg}
	m.Config.Sizes = append([]int(nil), cfg.Sizes...)
	n := len(cfg.Sizes)
	for i := 0; i < n-1; i++ {
		name := fmt.Sprintf("layers.%d", len(m.Layers))
		if i == n-2 {
			m.Layers = append(m.Layers, NewLinear(name, cfg.Sizes[i], cfg.Sizes[i+1], ActIdentity, rng))
			break
		}
		m.Layers = append(m.Layers, NewLinear(name, cfg.Sizes[i], cfg.Sizes[i+1], cfg.Act, rng))
		if cfg.LayerNorm {
			m.Layers = append(m.Layers, NewLayerNorm(fmt.Sprintf("layers.%d", len(m.Layers)), cfg.Sizes[i+1]))
		}
	}
	return m
}
