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
// neither duplicate nor corrupt each other's work. Each role is an interface
// of its own, Objects, Records (key → RunRecord), Refs and Locker, as reflow
// separates its Repository from its Assoc; Store is their composition, and
// code that needs one role takes only that one.
//
// # Implementations
//
// DirStore (OpenDir) keeps everything in one directory that any number of
// goroutines and processes may share. MemStore (NewMemStore) keeps it in
// memory, for fast tests of code that uses a Store. S3Store (OpenS3) keeps
// it in a bucket of an S3-compatible service, for machines that share no
// file system (see "S3" below). All pass the conformance suite in
// artifacts/storetest.
//
// # On-disk layout
//
//	objects/ab/<64-hex digest>  object bytes, mode 0444; "ab" = first two hex digits
//	records/<key>.json          one run record, compact JSON
//	refs/<name>                 reference value; "a/b/c" is the file refs/a/b/c
//	refs/projects/<id>/<name>   a project's references (DirStore.WithNamespace)
//	locks/<sha256(name)>.lock   flock target of the lock called name (see RemoveLock)
//	quarantine/<digest>.<ns>    objects moved aside by Quarantine, for inspection
//	quarantine/record-<key>...  record files that did not parse (GetRecord)
//	tmp/                        temporary files of writes in progress
//
// Reference names are slash-separated segments of [A-Za-z0-9._-], never
// "." or ".."; "a" and "a/b" cannot both exist. Record keys have the form of
// a digest.
//
// # Crash safety
//
// A file under objects/, records/ or refs/ only ever appears by rename(2)
// of a complete, fsynced temporary file from tmp/ (same filesystem), after
// which the directory is fsynced. Rename is atomic, so a crash or kill at
// any instant leaves each path holding either its old content or its new
// content, never part of one; the only debris is a file in tmp/, which no
// reader looks at and DirStore.CleanTmp removes. Objects are additionally
// self-checking: every read path re-hashes (Has does not), so damage after
// the fact (bit rot, a stray write to a chmod-ed file) is reported as
// ErrCorrupt rather than returned, and storing the same bytes again
// replaces the damaged copy. Records are written only after their objects,
// so a record found after a crash points at objects that were stored.
//
// Locks are flock(2) locks, released by the kernel when their holder exits
// however it exits, so a killed process never leaves a lock held.
//
// # S3
//
// S3Store uses the on-disk layout as object keys below its prefix
// (objects/ab/<digest>, records/<key>.json, refs/<name>, locks/<hash>,
// quarantine/<digest>.<ns>). A PUT replaces an object atomically, which
// gives records and references the rename's guarantee. Objects are written
// with If-None-Match: *, so each is written once however many machines
// store it; a 412 answer means it is there, and it is replaced (with
// If-Match on its ETag) only if it no longer hashes to its name. Every
// read re-hashes. A lock is a lease object holding its owner and expiry,
// created with If-None-Match: *, renewed every third of its TTL and taken
// over once expired with If-Match on the ETag read, so of two machines
// only one wins; a holder that dies stops renewing and its lease lapses.
// A local DirStore, when given, caches the verified objects and records
// read (both immutable for a key's purpose); Has and listings always ask
// the service.
//
// # Tables
//
// Built-in stages exchange Apache Arrow tables, encoded by package arrowtab
// so that equal data gives equal bytes and therefore equal digests. The
// store itself never decodes an object: it depends on nothing numeric.
package artifacts
