//go:build !unix && !windows

package artifacts

import "os"

// tryLockFile always succeeds on platforms without file locks (Plan 9,
// WebAssembly): locks then exclude holders within one process only, so
// two pipe processes must not share a store there.
func tryLockFile(*os.File, bool) (ok bool, err error) { return true, nil }

// unlockFile has nothing to drop.
func unlockFile(*os.File) error { return nil }
