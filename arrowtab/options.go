package arrowtab

import "github.com/apache/arrow/go/v17/arrow/memory"

// Option configures a function that builds or decodes a table.
type Option func(*options)

type options struct {
	mem memory.Allocator
}

// WithAllocator makes the function allocate its Arrow buffers from mem
// instead of memory.DefaultAllocator: tests pass a
// memory.NewCheckedAllocator to check that every record is released.
func WithAllocator(mem memory.Allocator) Option {
	return func(o *options) { o.mem = mem }
}

func applyOptions(opts []Option) options {
	o := options{mem: memory.DefaultAllocator}
	for _, opt := range opts {
		opt(&o)
	}
	if o.mem == nil {
		o.mem = memory.DefaultAllocator
	}
	return o
}
