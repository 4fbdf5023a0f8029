package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// tableKinds lists the aggregation and table kinds.
func tableKinds() []pipeline.Kind { return nil }
