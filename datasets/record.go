package datasets

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"gonum.org/v1/gonum/mat"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// Arrow layout of a dataset artifact. One row per dataset row:
//
//	row_id  string   the row label (date or index)
//	split   string   "train", "hold" or "test"
//	x:<name> float64 one column per feature, in X order
//	y:<name> float64 one column per target, in Y order
//
// Schema metadata: arrowtab.MetaKind = "dataset.<Name>", MetaWarnings = the
// warnings as a JSON list, and every Meta entry under its own key.
const (
	ColRowID     = "row_id"
	ColSplit     = "split"
	XPrefix      = "x:"
	YPrefix      = "y:"
	KindPrefix   = "dataset."
	MetaWarnings = "dataset.warnings"
)

// Kind returns the artifact kind of a dataset called name ("dataset.<name>").
func Kind(name string) string { return KindPrefix + name }

// Record converts d to an Arrow record (layout above). The caller must
// Release it. Float64 values are stored as they are, so FromRecord gives back
// the same bits.
func (d *Dataset) Record() (arrow.Record, error) {
	d.check()
	meta := make(map[string]string, len(d.Meta)+2)
	for k, v := range d.Meta {
		if k == arrowtab.MetaKind || k == MetaWarnings {
			return nil, fmt.Errorf("dataset %s: Meta key %q is reserved: %w", d.Name, k, arrowtab.ErrSchema)
		}
		meta[k] = v
	}
	meta[arrowtab.MetaKind] = Kind(d.Name)
	warnings := d.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	w, err := json.Marshal(warnings)
	if err != nil {
		return nil, err
	}
	meta[MetaWarnings] = string(w)

	splits := make([]string, len(d.Split))
	for i, s := range d.Split {
		splits[i] = s.String()
	}
	b := arrowtab.NewBuilder().String(ColRowID, d.RowID).String(ColSplit, splits)
	addColumns(b, XPrefix, d.XNames, d.X)
	addColumns(b, YPrefix, d.YNames, d.Y)
	return b.Record(meta)
}

func addColumns(b *arrowtab.Builder, prefix string, names []string, m *mat.Dense) {
	r, _ := m.Dims()
	for j, name := range names {
		col := make([]float64, r)
		mat.Col(col, j, m)
		b.Float64(prefix+name, col)
	}
}

// FromRecord reads a dataset artifact written by Dataset.Record.
func FromRecord(rec arrow.Record) (*Dataset, error) {
	kind, ok := arrowtab.Meta(rec, arrowtab.MetaKind)
	if !ok || !strings.HasPrefix(kind, KindPrefix) {
		return nil, fmt.Errorf("record kind %q is not a dataset: %w", kind, arrowtab.ErrSchema)
	}
	d := &Dataset{Name: strings.TrimPrefix(kind, KindPrefix)}
	if err := d.readMeta(rec.Schema().Metadata()); err != nil {
		return nil, err
	}
	var err error
	if d.RowID, err = arrowtab.Strings(rec, ColRowID); err != nil {
		return nil, err
	}
	splits, err := arrowtab.Strings(rec, ColSplit)
	if err != nil {
		return nil, err
	}
	d.Split = make([]Split, len(splits))
	for i, s := range splits {
		if d.Split[i], err = ParseSplit(s); err != nil {
			return nil, fmt.Errorf("dataset %s row %d: %w", d.Name, i, err)
		}
	}
	var xcols, ycols []string
	for _, f := range rec.Schema().Fields() {
		switch {
		case strings.HasPrefix(f.Name, XPrefix):
			xcols = append(xcols, f.Name)
			d.XNames = append(d.XNames, strings.TrimPrefix(f.Name, XPrefix))
		case strings.HasPrefix(f.Name, YPrefix):
			ycols = append(ycols, f.Name)
			d.YNames = append(d.YNames, strings.TrimPrefix(f.Name, YPrefix))
		case f.Name != ColRowID && f.Name != ColSplit:
			return nil, fmt.Errorf("dataset %s: unexpected column %q: %w", d.Name, f.Name, arrowtab.ErrSchema)
		}
	}
	if len(xcols) == 0 || len(ycols) == 0 {
		return nil, fmt.Errorf("dataset %s: %d feature and %d target columns: %w", d.Name, len(xcols), len(ycols), arrowtab.ErrSchema)
	}
	if d.X, err = arrowtab.RecordDense(rec, xcols...); err != nil {
		return nil, err
	}
	if d.Y, err = arrowtab.RecordDense(rec, ycols...); err != nil {
		return nil, err
	}
	return d, nil
}

// readMeta splits schema metadata into Meta and Warnings.
func (d *Dataset) readMeta(md arrow.Metadata) error {
	d.Meta = map[string]string{}
	for i, k := range md.Keys() {
		switch k {
		case arrowtab.MetaKind:
		case MetaWarnings:
			if err := json.Unmarshal([]byte(md.Values()[i]), &d.Warnings); err != nil {
				return fmt.Errorf("dataset %s: warnings: %v: %w", d.Name, err, arrowtab.ErrSchema)
			}
		default:
			d.Meta[k] = md.Values()[i]
		}
	}
	if len(d.Warnings) == 0 {
		d.Warnings = nil
	}
	return nil
}
