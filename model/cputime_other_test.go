//go:build !unix

package model

import "time"

// processCPU is unknown here; benchmarks then report zero CPU time.
func processCPU() time.Duration { return 0 }
