package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrBadName reports a reference name that is malformed, or that collides
// with an existing reference (a name cannot be both a reference and the
// parent of others, as "a" and "a/b").
var ErrBadName = errors.New("artifacts: bad reference name")

// maxRefName bounds reference names well below PATH_MAX, so a valid name
// always fits in a path under the store directory.
const maxRefName = 1024

// ValidateRefName checks a reference name: non-empty slash-separated
// segments of [A-Za-z0-9._-], none of them "." or "..", no leading or
// trailing slash. Such a name maps to a relative path that stays inside the
// references directory.
func ValidateRefName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrBadName)
	}
	if len(name) > maxRefName {
		return fmt.Errorf("%w: name longer than %d bytes", ErrBadName, maxRefName)
	}
	for i := 0; i < len(name); i++ {
		if !refChar(name[i]) {
			return fmt.Errorf("%w: %q has character %q (allowed: A-Z a-z 0-9 . _ - /)", ErrBadName, name, name[i])
		}
	}
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "":
			return fmt.Errorf("%w: %q has an empty segment", ErrBadName, name)
		case ".", "..":
			return fmt.Errorf("%w: %q has a %q segment", ErrBadName, name, seg)
		}
	}
	return nil
}

func refChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '/'
}

// checkDigest validates d, naming what it was for in the error.
func checkDigest(d Digest) error {
	if _, err := ParseDigest(string(d)); err != nil {
		return fmt.Errorf("object digest: %w", err)
	}
	return nil
}

// checkKey validates a record key, which has the form of a digest; this also
// keeps record file names inside the records directory.
func checkKey(k Key) error {
	if _, err := ParseDigest(string(k)); err != nil {
		return fmt.Errorf("record key: %w", err)
	}
	return nil
}

// lockFileName maps an arbitrary lock name to a safe, fixed-length file name.
func lockFileName(name string) string {
	s := sha256.Sum256([]byte(name))
	return hex.EncodeToString(s[:]) + ".lock"
}
