package model

// GaussianConfig describes a Gaussian predictor: a ReLU trunk
// XDim → Hidden[0] → … → Hidden[n−1] (every layer followed by ReLU) and
// linear heads Hidden[n−1] → YDim for μ and log σ² (reference:
// Hidden = [1024, 1024]).
type GaussianConfig struct {
	XDim   int   `json:"x_dim"`
	YDim   int   `json:"y_dim"`
	Hidden []int `json:"hidden"`
}

// PointConfig describes a deterministic predictor: an MLP
// XDim → Hidden… → YDim with ReLU after every hidden layer (power reference:
// Hidden = [1024, 1024, 1024]), or with BiasOnly the reference's learned
// vector that ignores x (synthetic.md §8.7).
type PointConfig struct {
	XDim     int   `json:"x_dim"`
	YDim     int   `json:"y_dim"`
	Hidden   []int `json:"hidden"`
	BiasOnly bool  `json:"bias_only"`
}

// PolicyConfig describes a policy network: an MLP XDim → Hidden… → ZDim with
// ReLU after every hidden layer (reference: Hidden = [1024, 1024]) and an
// output transform, OutputNone or OutputSoftmax.
type PolicyConfig struct {
	XDim   int    `json:"x_dim"`
	ZDim   int    `json:"z_dim"`
	Hidden []int  `json:"hidden"`
	Output string `json:"output"`
}
