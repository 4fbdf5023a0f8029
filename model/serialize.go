package model

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/model/nn"
)

// Trained models are store artifacts: package nn's parameter records
// (kind "model.params", float32 values bit-exact, a layout naming every
// parameter) with the architecture under nn.MetaArch and its JSON
// configuration under nn.MetaConfig, so a model is rebuilt from its artifact
// alone. A diffusion model is its denoiser's record plus the schedule under
// MetaSchedule.

// Architecture names of this package's predictors, written under nn.MetaArch.
const (
	ArchGaussian = "model.gaussian"
	ArchPoint    = "model.point"
	ArchPolicy   = "model.policy"
)

// MetaSchedule is the metadata key of a diffusion record's ScheduleConfig.
const MetaSchedule = "model.schedule"

// Record returns the diffusion model as a parameter record: the denoiser's
// parameters and configuration plus the schedule. The network must be an
// *nn.Denoiser. The caller must Release the record.
func (d *Diffusion) Record() (arrow.Record, error) {
	den, ok := d.Net.(*nn.Denoiser)
	if !ok {
		return nil, fmt.Errorf("%w: only an *nn.Denoiser network can be serialized, have %T", ErrFormat, d.Net)
	}
	cfg, err := json.Marshal(den.Config())
	if err != nil {
		return nil, err
	}
	sched, err := json.Marshal(d.Sched.Config)
	if err != nil {
		return nil, err
	}
	return nn.ParamsRecord(den.Params(), map[string]string{
		nn.MetaArch: nn.ArchDenoiser, nn.MetaConfig: string(cfg), MetaSchedule: string(sched),
	})
}

// DiffusionFromRecord rebuilds a diffusion model from Diffusion.Record. A
// bare denoiser record (nn.Denoiser.Record) gets DefaultSchedule.
func DiffusionFromRecord(rec arrow.Record) (*Diffusion, error) {
	den, err := nn.DenoiserFromRecord(rec)
	if err != nil {
		return nil, err
	}
	sched := DefaultSchedule()
	if raw, ok := arrowtab.Meta(rec, MetaSchedule); ok {
		var cfg ScheduleConfig
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrFormat, MetaSchedule, err)
		}
		if sched, err = NewSchedule(cfg); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrFormat, MetaSchedule, err)
		}
	}
	return NewDiffusion(den, sched), nil
}

// Record returns the predictor's parameters and configuration.
func (g *Gaussian) Record() (arrow.Record, error) {
	return archRecord(g.Params(), ArchGaussian, g.Config)
}

// Record returns the predictor's parameters and configuration.
func (p *Point) Record() (arrow.Record, error) { return archRecord(p.Params(), ArchPoint, p.Config) }

// Record returns the policy's parameters and configuration.
func (p *Policy) Record() (arrow.Record, error) { return archRecord(p.Params(), ArchPolicy, p.Config) }

// GaussianFromRecord rebuilds a Gaussian predictor from Gaussian.Record.
func GaussianFromRecord(rec arrow.Record) (*Gaussian, error) {
	var cfg GaussianConfig
	return fromRecord(rec, ArchGaussian, &cfg, func() (*Gaussian, []*nn.Param, error) {
		g, err := NewGaussian(cfg, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			return nil, nil, err
		}
		return g, g.Params(), nil
	})
}

// PointFromRecord rebuilds a point predictor from Point.Record.
func PointFromRecord(rec arrow.Record) (*Point, error) {
	var cfg PointConfig
	return fromRecord(rec, ArchPoint, &cfg, func() (*Point, []*nn.Param, error) {
		p, err := NewPoint(cfg, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			return nil, nil, err
		}
		return p, p.Params(), nil
	})
}

// PolicyFromRecord rebuilds a policy network from Policy.Record.
func PolicyFromRecord(rec arrow.Record) (*Policy, error) {
	var cfg PolicyConfig
	return fromRecord(rec, ArchPolicy, &cfg, func() (*Policy, []*nn.Param, error) {
		p, err := NewPolicy(cfg, rand.New(rand.NewPCG(0, 0)))
		if err != nil {
			return nil, nil, err
		}
		return p, p.Params(), nil
	})
}

func archRecord(ps []*nn.Param, arch string, cfg any) (arrow.Record, error) {
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return nn.ParamsRecord(ps, map[string]string{nn.MetaArch: arch, nn.MetaConfig: string(c)})
}

// fromRecord checks the architecture, decodes its configuration into cfg,
// builds the model with build and loads the parameters.
func fromRecord[M any](rec arrow.Record, arch string, cfg any, build func() (M, []*nn.Param, error)) (M, error) {
	var zero M
	if got, _ := arrowtab.Meta(rec, nn.MetaArch); got != arch {
		return zero, fmt.Errorf("%w: architecture %q, want %q", ErrFormat, got, arch)
	}
	raw, ok := arrowtab.Meta(rec, nn.MetaConfig)
	if !ok {
		return zero, fmt.Errorf("%w: %s record has no %s metadata", ErrFormat, arch, nn.MetaConfig)
	}
	if err := json.Unmarshal([]byte(raw), cfg); err != nil {
		return zero, fmt.Errorf("%w: %s configuration: %v", ErrFormat, arch, err)
	}
	m, ps, err := build()
	if err != nil {
		return zero, fmt.Errorf("%w: %s configuration: %w", ErrFormat, arch, err)
	}
	if err := nn.LoadParams(rec, ps); err != nil {
		return zero, err
	}
	return m, nil
}
