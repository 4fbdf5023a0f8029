package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// Parameters are stored as an Arrow record with one float32 column "value"
// holding every parameter's W, row-major, in Params order (float32 to
// float32: bit-exact), and schema metadata that says what the values are:
//
//	pipe.kind  = "model.params"
//	nn.layout  = JSON [{"name","rows","cols"}, …], one entry per parameter
//	nn.arch    = "denoiser" | "mlp" | a caller's name
//	nn.config  = JSON of the architecture's configuration
//
// so a Denoiser or MLP can be rebuilt from its artifact alone, and loading
// into a network of another shape fails with a message naming the parameter.

// ParamsKind is the arrowtab.MetaKind of a parameter record.
const ParamsKind = "model.params"

// Metadata keys and the column name of parameter records.
const (
	MetaArch    = "nn.arch"
	MetaConfig  = "nn.config"
	MetaLayout  = "nn.layout"
	ValueColumn = "value"
)

// Architecture names written under MetaArch.
const (
	ArchDenoiser = "denoiser"
	ArchMLP      = "mlp"
)

// paramShape is one entry of the layout metadata.
type paramShape struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
	Cols int    `json:"cols"`
}

func layoutOf(ps []*Param) []paramShape {
	l := make([]paramShape, len(ps))
	for i, p := range ps {
		l[i] = paramShape{Name: p.Name, Rows: p.W.Rows, Cols: p.W.Cols}
	}
	return l
}

// ParamsRecord returns the parameters ps as a record with the layout
// metadata plus meta (typically MetaArch and MetaConfig). The caller must
// Release it.
func ParamsRecord(ps []*Param, meta map[string]string) (arrow.Record, error) {
	layout, err := json.Marshal(layoutOf(ps))
	if err != nil {
		return nil, err
	}
	md := map[string]string{arrowtab.MetaKind: ParamsKind, MetaLayout: string(layout)}
	for k, v := range meta {
		md[k] = v
	}
	values := make([]float32, 0, NumParams(ps))
	for _, p := range ps {
		values = append(values, p.W.Data...)
	}
	return arrowtab.NewBuilder().Float32(ValueColumn, values).Record(md)
}

// LoadParams copies the values of a parameter record into ps. The record's
// layout must list exactly the names and shapes of ps, in order; otherwise
// it returns an error wrapping ErrShape (or ErrFormat for a record that is
// not a parameter record) and leaves ps unchanged.
func LoadParams(rec arrow.Record, ps []*Param) error {
	if kind, _ := arrowtab.Meta(rec, arrowtab.MetaKind); kind != ParamsKind {
		return fmt.Errorf("%w: kind %q, want %q", ErrFormat, kind, ParamsKind)
	}
	raw, ok := arrowtab.Meta(rec, MetaLayout)
	if !ok {
		return fmt.Errorf("%w: no %s metadata", ErrFormat, MetaLayout)
	}
	var layout []paramShape
	if err := json.Unmarshal([]byte(raw), &layout); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFormat, MetaLayout, err)
	}
	if len(layout) != len(ps) {
		return fmt.Errorf("%w: record has %d parameters, network %d", ErrShape, len(layout), len(ps))
	}
	for i, p := range ps {
		if want := layoutOf(ps[i : i+1])[0]; layout[i] != want {
			return fmt.Errorf("%w: parameter %d is %s %d×%d in the record, %s %d×%d in the network",
				ErrShape, i, layout[i].Name, layout[i].Rows, layout[i].Cols, p.Name, p.W.Rows, p.W.Cols)
		}
	}
	values, err := arrowtab.Float32s(rec, ValueColumn)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if len(values) != NumParams(ps) {
		return fmt.Errorf("%w: %d values for %d parameters", ErrFormat, len(values), NumParams(ps))
	}
	off := 0
	for _, p := range ps {
		off += copy(p.W.Data, values[off:])
	}
	return nil
}

// Record returns the Denoiser's parameters with its architecture and
// configuration; the caller must Release it.
func (d *Denoiser) Record() (arrow.Record, error) {
	return archRecord(d.params, ArchDenoiser, d.cfg)
}

// DenoiserFromRecord rebuilds a Denoiser from a record written by Record.
func DenoiserFromRecord(rec arrow.Record) (*Denoiser, error) {
	var cfg DenoiserConfig
	if err := readArch(rec, ArchDenoiser, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := NewDenoiser(cfg, rand.New(rand.NewPCG(0, 0)))
	if err := LoadParams(rec, d.params); err != nil {
		return nil, err
	}
	return d, nil
}

// Record returns the MLP's parameters with its configuration; the caller
// must Release it.
func (m *MLP) Record() (arrow.Record, error) {
	return archRecord(m.Params(), ArchMLP, m.Config)
}

// MLPFromRecord rebuilds an MLP from a record written by MLP.Record.
func MLPFromRecord(rec arrow.Record) (*MLP, error) {
	var cfg MLPConfig
	if err := readArch(rec, ArchMLP, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := NewMLP(cfg, rand.New(rand.NewPCG(0, 0)))
	if err := LoadParams(rec, m.Params()); err != nil {
		return nil, err
	}
	return m, nil
}

// archRecord writes ps with the architecture name and JSON configuration.
func archRecord(ps []*Param, arch string, cfg any) (arrow.Record, error) {
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return ParamsRecord(ps, map[string]string{MetaArch: arch, MetaConfig: string(c)})
}

// readArch checks the architecture name and decodes the configuration.
func readArch(rec arrow.Record, arch string, cfg any) error {
	got, _ := arrowtab.Meta(rec, MetaArch)
	if got != arch {
		return fmt.Errorf("%w: architecture %q, want %q", ErrFormat, got, arch)
	}
	raw, ok := arrowtab.Meta(rec, MetaConfig)
	if !ok {
		return fmt.Errorf("%w: no %s metadata", ErrFormat, MetaConfig)
	}
	if err := json.Unmarshal([]byte(raw), cfg); err != nil {
		if errors.Is(err, ErrConfig) {
			return fmt.Errorf("%w: %s: %w", ErrFormat, MetaConfig, err)
		}
		return fmt.Errorf("%w: %s: %v", ErrFormat, MetaConfig, err)
	}
	return nil
}
