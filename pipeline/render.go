package pipeline

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// Render is arrowtab.Render, kept while its importers move.
//
// Deprecated: use arrowtab.Render.
func Render(ipc []byte, format string) ([]byte, error) { return arrowtab.Render(ipc, format) }

// Cell is arrowtab.Cell, kept while its importers move.
//
// Deprecated: use arrowtab.Cell.
func Cell(col arrow.Array, i int) string { return arrowtab.Cell(col, i) }
