package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EBadTemporalTLSFlagsFailFirst: a client certificate without its key,
// or a CA file that does not exist, fails pipe worker before it creates its
// store or cache, and pipe run --executor temporal before any stage runs;
// the message names the flag and the file.
func TestE2EBadTemporalTLSFlagsFailFirst(t *testing.T) {
	dir := t.TempDir()
	store, cache := filepath.Join(dir, "store"), filepath.Join(dir, "cache")
	r := pipeIn(t, dir, "worker", "--store", store, "--cache", cache, "--temporal-tls-cert", "client.pem")
	if r.code == 0 || !strings.Contains(r.stderr, "--temporal-tls-cert client.pem needs --temporal-tls-key") {
		t.Fatalf("worker: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, p := range []string{store, cache} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s exists after the refused worker (err %v)", p, err)
		}
	}

	writeFile(t, dir, "pipelines.yaml", "stages:\n  a:\n    run: echo hi > \"$PIPE_OUT_O\"\n    outputs: [o]\n")
	r = pipeIn(t, dir, "run", "a", "--executor", "temporal", "--temporal-tls-ca", "missing-ca.pem")
	if r.code == 0 || !strings.Contains(r.stderr, "--temporal-tls-ca missing-ca.pem") || strings.Contains(r.stdout+r.stderr, "running stage") {
		t.Fatalf("run: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}
