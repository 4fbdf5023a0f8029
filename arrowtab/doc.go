// Package arrowtab reads, writes and renders the Apache Arrow tables that
// built-in stages exchange.
//
// A stage's output is one Arrow record (a table: named, typed columns of
// equal length, plus schema metadata) stored as an Arrow IPC file. The
// store names objects by the sha256 of their bytes, so the encoding must be
// a function of the data alone: Marshal pins the writer options (no
// compression, default alignment) and sorts the schema metadata by key, so
// equal tables give equal bytes and equal digests, across runs, processes
// and machines (a golden digest in testdata/ pins this).
//
// The package sits below both the store and the numeric code: artifacts
// stores bytes and never decodes them, and model, datasets and stages build
// and read tables here without depending on a store. DenseRecord and
// RecordDense convert between tables and gonum matrices; Render turns a
// table into CSV, Markdown or JSON for export and display.
//
// # Memory
//
// Arrow arrays are reference counted: whoever builds or decodes a record
// owns it and must Release it. Every function that allocates Arrow buffers
// takes options; WithAllocator routes the allocations to a given
// memory.Allocator, so a test can pass memory.NewCheckedAllocator and assert
// with AssertSize(t, 0) that nothing leaked. Without it, buffers come from
// memory.DefaultAllocator (Go memory, reclaimed by the garbage collector).
//
// # Schema errors
//
// A missing column, a column of the wrong type or ragged columns are data
// errors, not programmer errors: they are returned wrapped around ErrSchema,
// with the column's name, so callers test them with errors.Is.
package arrowtab
