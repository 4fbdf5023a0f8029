package model

import (
	"fmt"
	"math/rand/v2"

	"github.com/diffusion-dfl/pipe/model/nn"
)

// Validate reports a configuration that cannot build a predictor.
func (c GaussianConfig) Validate() error {
	return checkSizes("Gaussian", c.XDim, c.YDim, c.Hidden, 1)
}

// Validate reports a configuration that cannot build a predictor.
func (c PointConfig) Validate() error {
	if c.BiasOnly {
		return checkSizes("point", max(c.XDim, 1), c.YDim, nil, 0)
	}
	return checkSizes("point", c.XDim, c.YDim, c.Hidden, 0)
}

// Validate reports a configuration that cannot build a policy.
func (c PolicyConfig) Validate() error {
	switch c.Output {
	case OutputNone, OutputSoftmax:
	default:
		return fmt.Errorf("%w: policy output %q, want %q or %q", ErrConfig, c.Output, OutputNone, OutputSoftmax)
	}
	return checkSizes("policy", c.XDim, c.ZDim, c.Hidden, 0)
}

func checkSizes(what string, in, out int, hidden []int, minHidden int) error {
	if in < 1 || out < 1 {
		return fmt.Errorf("%w: %s input width %d and output width %d, want ≥ 1", ErrConfig, what, in, out)
	}
	if len(hidden) < minHidden {
		return fmt.Errorf("%w: %s needs at least %d hidden layer(s), got %v", ErrConfig, what, minHidden, hidden)
	}
	for i, h := range hidden {
		if h < 1 {
			return fmt.Errorf("%w: %s hidden layer %d has width %d", ErrConfig, what, i, h)
		}
	}
	return nil
}

// NewGaussian builds a Gaussian predictor with PyTorch's default
// initialization, drawing trunk, μ head and log σ² head from rng in that
// order (the reference's module order).
func NewGaussian(cfg GaussianConfig, rng *rand.Rand) (*Gaussian, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trunk := &nn.Sequential{}
	in := cfg.XDim
	for i, h := range cfg.Hidden {
		trunk.Layers = append(trunk.Layers, nn.NewLinear(fmt.Sprintf("trunk.%d", i), in, h, nn.ActReLU, rng))
		in = h
	}
	cfg.Hidden = append([]int(nil), cfg.Hidden...)
	return &Gaussian{
		Trunk:  trunk,
		Mu:     nn.NewLinear("mu", in, cfg.YDim, nn.ActIdentity, rng),
		LogVar: nn.NewLinear("logvar", in, cfg.YDim, nn.ActIdentity, rng),
		Config: cfg,
	}, nil
}

// NewPoint builds a point predictor: a ReLU MLP with PyTorch's default
// initialization, or a zero bias vector when cfg.BiasOnly.
func NewPoint(cfg PointConfig, rng *rand.Rand) (*Point, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Hidden = append([]int(nil), cfg.Hidden...)
	if cfg.BiasOnly {
		return &Point{Net: NewBias(cfg.YDim), Config: cfg}, nil
	}
	return &Point{Net: reluMLP(cfg.XDim, cfg.Hidden, cfg.YDim, rng), Config: cfg}, nil
}

// NewPolicy builds a policy network, a ReLU MLP with PyTorch's default
// initialization followed by cfg.Output.
func NewPolicy(cfg PolicyConfig, rng *rand.Rand) (*Policy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Hidden = append([]int(nil), cfg.Hidden...)
	return &Policy{Net: reluMLP(cfg.XDim, cfg.Hidden, cfg.ZDim, rng), Config: cfg}, nil
}

func reluMLP(in int, hidden []int, out int, rng *rand.Rand) *nn.MLP {
	sizes := append(append([]int{in}, hidden...), out)
	return nn.NewMLP(nn.MLPConfig{Sizes: sizes, Act: nn.ActReLU}, rng)
}
