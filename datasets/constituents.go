package datasets

import (
	"fmt"
	"os"
	"slices"

	"github.com/go-gota/gota/dataframe"
)

// readConstituents reads sp500/constituents.csv (columns Symbol, Name,
// Sector) and returns the sector of every symbol. The list is small and has a
// header, which is what a gota DataFrame reads best.
func readConstituents(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %w", path, ErrMissing, err)
	}
	defer f.Close()
	df := dataframe.ReadCSV(f, dataframe.DetectTypes(false), dataframe.HasHeader(true))
	if df.Err != nil {
		return nil, fmt.Errorf("%s: %v: %w", path, df.Err, ErrBadData)
	}
	for _, col := range []string{"Symbol", "Sector"} {
		if !slices.Contains(df.Names(), col) {
			return nil, fmt.Errorf("%s line 1: no %s column in header %v: %w", path, col, df.Names(), ErrBadData)
		}
	}
	symbols, sectors := df.Col("Symbol").Records(), df.Col("Sector").Records()
	out := make(map[string]string, len(symbols))
	for i, s := range symbols {
		if s == "" {
			return nil, fmt.Errorf("%s line %d: empty Symbol: %w", path, i+2, ErrBadData)
		}
		out[s] = sectors[i]
	}
	return out, nil
}
