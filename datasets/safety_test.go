package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStockDamageOutsideWindow puts bad prices in rows far before the date
// window: each must be refused with the file and line, as inside it.
func TestStockDamageOutsideWindow(t *testing.T) {
	head := "Date,Open,High,Low,Close,Volume,OpenInt\n"
	good := "2004-01-05,10.1,10.5,10.0,10.3,100,0\n"
	cases := map[string]struct{ row, want string }{
		"inf close":   {"1995-03-01,1,1,1,+Inf,100,0\n", `line 2: Close "+Inf" is not a positive finite number`},
		"nan open":    {"1995-03-01,NaN,1,1,1,100,0\n", `line 2: Open "NaN" is not a positive finite number`},
		"zero low":    {"1995-03-01,1,1,0,1,100,0\n", `line 2: Low "0" is not a positive finite number`},
		"negative hi": {"1995-03-01,1,-2,1,1,100,0\n", `line 2: High "-2" is not a positive finite number`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "stocks", "bad.us.txt")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(head+c.row+good), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := readStock(path, "BAD", 20040101, 20161231, new([]byte))
			if !errors.Is(err, ErrBadData) || !strings.Contains(err.Error(), "stocks/bad.us.txt") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrBadData naming the file and %q", err, c.want)
			}
		})
	}
}
