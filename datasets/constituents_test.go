package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadConstituents reads quoted CSV (a comma inside a name) and names
// the line of a bad row or the missing column.
func TestReadConstituents(t *testing.T) {
	cases := []struct {
		name, csv, wantErr string
		want               map[string]string
	}{
		{"quoted", "Symbol,Name,Sector\nAAA,\"A, Inc.\",Energy\nBBB,B,Utilities\n", "",
			map[string]string{"AAA": "Energy", "BBB": "Utilities"}},
		{"no sector", "Symbol,Name\nAAA,A\n", "line 1: no Sector column", nil},
		{"empty symbol", "Symbol,Name,Sector\nAAA,A,Energy\n,B,Energy\n", "line 3: empty Symbol", nil},
		{"ragged", "Symbol,Name,Sector\nAAA,A\n", "wrong number of fields", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "constituents.csv")
			if err := os.WriteFile(path, []byte(c.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readConstituents(path)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrBadData) {
					t.Fatalf("error %v, want ErrBadData mentioning %q", err, c.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(c.want) {
				t.Fatalf("got %v, %v; want %v", got, err, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: sector %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
