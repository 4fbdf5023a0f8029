package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// DataDirEnv is the environment variable that names the data directory;
// DefaultDataDir falls back to "data" (relative to the working directory).
const DataDirEnv = "PIPE_DATA_DIR"

// DefaultDataDir returns $PIPE_DATA_DIR, or "data" when it is unset.
func DefaultDataDir() string {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d
	}
	return "data"
}

// Source is one public data file: where it goes under the data directory,
// where it is downloaded from, and the sha256 and size that guarantee its bytes.
type Source struct {
	Path   string // slash-separated, relative to the data directory
	URL    string
	SHA256 string
	Size   int64
}

// Pinned commits of the public repositories (SOURCE.md, power.md §1.1).
const (
	pjmBase          = "https://raw.githubusercontent.com/locuslab/e2e-model-learning/7073a624ab7eda619ad50ceaa8b3e92fdc09ab8c/power_sched/"
	sp500StocksBase  = "https://raw.githubusercontent.com/guyr18/stock-market-big-data/acbb17c55edef4c120f88aeb48c2473ecf4e744d/Data/Stocks/"
	constituentsURL  = "https://raw.githubusercontent.com/datasets/s-and-p-500-companies/5b0e007b27ab6b0f0d406ec65dd05b7261e7fc24/data/constituents.csv"
	constituentsSum  = "89a770292575401cfbe4b6ba4e7cc853737ceb8b68d2da229b5d7d0b733a5f1e"
	constituentsSize = 18560
)

// Sources returns every file Fetch downloads: the two PJM files of Donti et
// al. (locuslab/e2e-model-learning), the S&P 500 constituents list and the
// 224 price files of the S&P 500 substitute (sp500/SOURCE.md). The synthetic
// reference draw has no public source and is not included.
func Sources() []Source {
	src := []Source{
		{"pjm/" + PJMFile2008, pjmBase + PJMFile2008, "8dc80051563e406fa077064155d0dcef32f335165381b8aebf3f43cebfb9470b", 1611814},
		{"pjm/" + PJMFile2012, pjmBase + PJMFile2012, "f83c74db6685dd16c2db1b868907562fd4da74e8cac51e1ea24aead725542989", 1913048},
		{"sp500/constituents.csv", constituentsURL, constituentsSum, constituentsSize},
	}
	for _, f := range sp500Files {
		name := stockFile(f.Ticker)
		src = append(src, Source{"sp500/stocks/" + name, sp500StocksBase + name, f.SHA256, f.Size})
	}
	return src
}

// SP500Tickers returns the 224 tickers of the S&P 500 substitute (upper case,
// sorted): the constituents of 2020-05-10 with a price file covering every
// trading day 2004–2016, less EIX and NUE whose files have decimal-shift
// glitches (SOURCE.md). It is LoadSP500's default universe.
func SP500Tickers() []string {
	t := make([]string, len(sp500Files))
	for i, f := range sp500Files {
		t[i] = f.Ticker
	}
	return t
}

// stockFile is the price file name of a ticker: "BRK.B" → "brk.b.us.txt".
func stockFile(ticker string) string { return strings.ToLower(ticker) + ".us.txt" }

// fileSHA256 returns the hex sha256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkKnownSum returns a warning when the file at path is one of the
// published Sources (named by rel) but its bytes differ: a file truncated at
// a line boundary still parses, and the checksum is the only way to see it.
func checkKnownSum(path, rel string) []string {
	for _, s := range Sources() {
		if s.Path != rel {
			continue
		}
		sum, err := fileSHA256(path)
		if err != nil || sum == s.SHA256 {
			return nil
		}
		return []string{fmt.Sprintf("%s: sha256 %s differs from the published file's %s; results will not match the reference", rel, sum[:12], s.SHA256[:12])}
	}
	return nil
}
