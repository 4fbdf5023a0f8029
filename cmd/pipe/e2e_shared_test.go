package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestE2ESharedStoreAcrossProjects: a copy of a project at another path,
// sharing the store with --store, finds the first copy's results by their
// content keys: status calls them cached, a run executes nothing, and each
// project keeps its own references (gc from either keeps both).
func TestE2ESharedStoreAcrossProjects(t *testing.T) {
	a, b := copyExample(t), copyExample(t)
	store := filepath.Join(t.TempDir(), "shared")
	mustPipe(t, a, "run", "--store", store, "all")
	st := mustPipe(t, b, "status", "--store", store).stdout
	if !strings.Contains(st, "0 stale, 7 cached") {
		t.Fatalf("status in the copy, shared store:\n%s", st)
	}
	if got, _ := statusesOf(t, mustPipe(t, b, "run", "--store", store, "--json", "all").stdout); strings.Contains(got, ":ran") {
		t.Fatalf("the copy reran stages the shared store holds: %s", got)
	}
	mustPipe(t, a, "gc", "--store", store)
	if got, _ := statusesOf(t, mustPipe(t, b, "run", "--store", store, "--json", "all").stdout); strings.Contains(got, ":ran") {
		t.Fatalf("gc from one project removed the other's results: %s", got)
	}
}
