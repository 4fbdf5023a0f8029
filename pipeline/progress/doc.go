// Package progress shows a run as it happens: on a terminal, a live block
// of lines redrawn ten times a second (how many stages are pending,
// running, cached, done and failed, the elapsed time, an ETA, and a bar for
// each running stage that reports progress), with finished stages printed
// above it; elsewhere, one plain line per event ("ran stage X in 1.2s") and
// a status line at a fixed interval (30 s by default), so that CI logs and
// nohup files show a long stage is alive.
//
// Skipped stages are summarized in one line at the end unless Verbose asks
// for each. The ETA comes from Options.Expected: how long each stage (or
// failing that, its kind) took in earlier runs recorded in the store. The
// remaining expected work (pending stages in full, running stages minus
// their elapsed time) is divided by the number of jobs; it is marked "≥"
// when some remaining stage has no earlier run to go by.
package progress
