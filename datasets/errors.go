package datasets

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error a loader returns wraps one of them, so callers
// test with errors.Is.
var (
	// ErrBadData reports a data file that cannot be used as it is: a garbled
	// or truncated line, a wrong column count, a NaN or Inf, timestamps out of
	// order. The message names the file and line.
	ErrBadData = errors.New("datasets: bad data")
	// ErrMissing reports a data file or directory that is absent; fetching
	// the data (Fetch) usually fixes it.
	ErrMissing = errors.New("datasets: missing data file")
	// ErrOption reports an option value a loader cannot honour.
	ErrOption = errors.New("datasets: invalid option")
	// ErrChecksum reports a downloaded file whose sha256 is not the published one.
	ErrChecksum = errors.New("datasets: checksum mismatch")
	// ErrDownload reports a download that failed (offline, server error).
	ErrDownload = errors.New("datasets: download failed")
)

// lineError builds an ErrBadData error naming the file and 1-based line.
func lineError(file string, line int, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s: %w", file, line, fmt.Sprintf(format, args...), ErrBadData)
}

// optionError builds an ErrOption error naming the option.
func optionError(name string, format string, args ...any) error {
	return fmt.Errorf("option %s: %s: %w", name, fmt.Sprintf(format, args...), ErrOption)
}
