package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// Pinned commits of the public repositories (power.md §1.1, portfolio.md §7).
const (
	pjmBase          = "https://raw.githubusercontent.com/locuslab/e2e-model-learning/7073a624ab7eda619ad50ceaa8b3e92fdc09ab8c/power_sched/"
	sp500StocksBase  = "https://raw.githubusercontent.com/guyr18/stock-market-big-data/acbb17c55edef4c120f88aeb48c2473ecf4e744d/Data/Stocks/"
	constituentsURL  = "https://raw.githubusercontent.com/datasets/s-and-p-500-companies/5b0e007b27ab6b0f0d406ec65dd05b7261e7fc24/data/constituents.csv"
	constituentsSum  = "89a770292575401cfbe4b6ba4e7cc853737ceb8b68d2da229b5d7d0b733a5f1e"
	constituentsSize = 18560
)

// Sources returns every file Fetch downloads: the two PJM files of Donti et
// al. (locuslab/e2e-model-learning), the S&P 500 constituents list and the
// 224 price files of the S&P 500 substitute (portfolio.md §7). The synthetic
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
// glitches (portfolio.md §7). It is LoadSP500's default universe.
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

// checkKnownSums compares each file rels[i] under dir that is one of the
// published Sources with its published sha256. A file truncated at a line
// boundary still parses, so the checksum is the only sign of it: a changed
// file is an error wrapping ErrChecksum, unless accept (the data-* kinds'
// accept_changed_data param, kept in the run record) says the change is
// meant; then each changed file gives a warning kept with the dataset.
func checkKnownSums(dir string, rels []string, accept bool) ([]string, error) {
	known := map[string]string{}
	for _, s := range Sources() {
		known[s.Path] = s.SHA256
	}
	var warnings []string
	for _, rel := range rels {
		want, ok := known[rel]
		if !ok {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(rel))
		sum, err := fileSHA256(path)
		if err != nil {
			return nil, fmt.Errorf("checksum %s: %w", path, err)
		}
		if sum == want {
			continue
		}
		if !accept {
			return nil, fmt.Errorf("%s: sha256 %s differs from the published file's %s (truncated or edited? `pipe fetch` restores it; accept_changed_data: true uses it as it is): %w",
				path, sum[:12], want[:12], ErrChecksum)
		}
		warnings = append(warnings, fmt.Sprintf("%s: sha256 %s differs from the published file's %s; used as it is (accept_changed_data); results will not match the reference", rel, sum[:12], want[:12]))
	}
	return warnings, nil
}

// sp500Rels lists the data files of an S&P 500 universe, relative to the data directory.
func sp500Rels(tickers []string) []string {
	rels := []string{"sp500/constituents.csv"}
	for _, t := range tickers {
		rels = append(rels, "sp500/stocks/"+stockFile(t))
	}
	return rels
}
