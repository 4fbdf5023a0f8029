package pipeline

import "github.com/diffusion-dfl/pipe/kind"

// The kind-author API (a kind's declaration, its params, inputs, outputs
// and reporter, and the registry) lives in package kind. These aliases keep
// the engine's and the stages' spelling, pipeline.Kind, working; new code
// names package kind.

// Kind is a built-in stage kind (kind.Kind).
type Kind = kind.Kind

// Registry holds the built-in kinds known to a program (kind.Registry).
type Registry = kind.Registry

// Params are a stage's checked parameters (kind.Params).
type Params = kind.Params

// ParamSpec documents one parameter of a kind (kind.ParamSpec).
type ParamSpec = kind.ParamSpec

// ParamType is the type of a kind's parameter (kind.ParamType).
type ParamType = kind.ParamType

// PortSpec documents one input or output of a kind (kind.PortSpec).
type PortSpec = kind.PortSpec

// FileDep is a data file a kind reads (kind.FileDep).
type FileDep = kind.FileDep

// Inputs is what a built-in stage receives (kind.Inputs).
type Inputs = kind.Inputs

// Outputs maps a stage's output names to records (kind.Outputs).
type Outputs = kind.Outputs

// Reporter is a running stage's link to the runner (kind.Reporter).
type Reporter = kind.Reporter

// RunFunc is a built-in stage's implementation (kind.RunFunc).
type RunFunc = kind.RunFunc

// Range bounds a numeric parameter (kind.Range).
type Range = kind.Range

// Parameter types (kind.String, ...).
const (
	String  = kind.String
	Int     = kind.Int
	Float   = kind.Float
	Bool    = kind.Bool
	Ints    = kind.Ints
	Floats  = kind.Floats
	Strings = kind.Strings
	Map     = kind.Map
	Any     = kind.Any
)

// NewRegistry returns an empty registry (kind.NewRegistry).
func NewRegistry() *Registry { return kind.NewRegistry() }

// AtLeast is kind.AtLeast: the range [min, +∞).
func AtLeast(min float64) *Range { return kind.AtLeast(min) }

// Between is kind.Between: the closed range [min, max].
func Between(min, max float64) *Range { return kind.Between(min, max) }

// Positive is kind.Positive: the range (0, +∞).
func Positive() *Range { return kind.Positive() }

// Inside is kind.Inside: the open range (min, max).
func Inside(min, max float64) *Range { return kind.Inside(min, max) }
