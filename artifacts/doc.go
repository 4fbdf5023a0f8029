// Package artifacts stores the bytes that pipeline stages exchange.
//
// Every artifact is an immutable object named by the lowercase hex sha256 of
// its bytes (a Digest). Objects are written once, atomically (temporary file,
// fsync, rename), and verified when read: an object whose bytes no longer hash
// to its name is never returned; reading it fails with ErrCorrupt.
//
// Beside objects, a Store keeps run records (what a stage run with a given key
// produced, and its provenance), named references (the latest run of a stage
// or a pipeline) and advisory locks, so that two processes sharing a store
// neither duplicate nor corrupt each other's work.
//
// Built-in stages exchange Apache Arrow records. The helpers in table.go write
// them as Arrow IPC files with pinned options, so equal data gives equal bytes
// and therefore equal digests, and convert between Arrow and gonum matrices.
package artifacts
