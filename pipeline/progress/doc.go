// Package progress shows a run as it happens: on a terminal, a live block
// of lines redrawn ten times a second (how many stages are pending,
// running, cached, done and failed, the elapsed time, and a bar for each
// running stage that reports progress), with finished stages printed above
// it; elsewhere, one plain line per event ("ran stage X in 1.2s").
package progress
