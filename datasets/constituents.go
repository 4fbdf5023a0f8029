package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// readConstituents reads sp500/constituents.csv (columns Symbol, Name,
// Sector) and returns the sector of every symbol. The file is quoted CSV
// with a header, read with encoding/csv as every CSV file of the project
// that is not a large price or load series (those have line parsers of
// their own, see sp500_read.go and pjm_read.go).
func readConstituents(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, ErrMissing, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s line 1: header: %v: %w", path, err, ErrBadData)
	}
	sym, sec := slices.Index(header, "Symbol"), slices.Index(header, "Sector")
	for _, c := range []struct {
		name string
		at   int
	}{{"Symbol", sym}, {"Sector", sec}} {
		if c.at < 0 {
			return nil, fmt.Errorf("%s line 1: no %s column in header %v: %w", path, c.name, header, ErrBadData)
		}
	}
	out := map[string]string{}
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", path, err, ErrBadData)
		}
		if row[sym] == "" {
			line, _ := r.FieldPos(sym)
			return nil, fmt.Errorf("%s line %d: empty Symbol: %w", path, line, ErrBadData)
		}
		out[row[sym]] = row[sec]
	}
}
