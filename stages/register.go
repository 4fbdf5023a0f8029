package stages

import "github.com/diffusion-dfl/pipe/pipeline"

// kinds lists every built-in kind of this package.
var kinds []pipeline.Kind

// Register adds every built-in kind of this package to r.
func Register(r *pipeline.Registry) error {
	for _, k := range kinds {
		if err := r.Register(k); err != nil {
			return err
		}
	}
	return nil
}
