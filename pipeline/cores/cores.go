// Package cores shares a process's cores between the stages the engine runs
// at once and the parallel passes inside them.
//
// A stage that runs in-process holds one core (Hold) for as long as it
// runs. A pass that could spread its work over helper goroutines first
// borrows idle cores (Borrow) and starts only as many helpers as it got;
// when every core is held, by stages or by other passes' helpers, it runs
// its work on the calling goroutine. So with `pipe run --jobs 2` on two
// cores each stage runs on one core without handing work to and waiting
// for helpers, while a stage that runs alone (the end of a run, a single
// target, a benchmark) still gets the idle core.
//
// Measured on a 2-core machine with two DFL stages side by side, passes
// that always started GOMAXPROCS helpers left 13 % of the CPU idle, made
// 7,000 context switches a second, and spread both stages' working sets
// over both cores' caches; borrowing only idle cores took the same stages
// 10 % less CPU time with no idle time.
//
// The cores a pass borrows change only how many goroutines share its
// fixed pieces of work, never the pieces or the order their partial
// results are combined in, so callers keep results bit-identical however
// many cores they get.
package cores

import (
	"runtime"
	"sync/atomic"
)

// state packs the two counts that decide what can be lent: the stages
// holding a core (high 32 bits) and the helpers lent out (low 32 bits).
var state atomic.Int64

const stageUnit = 1 << 32

// Hold takes one core for a stage that runs in this process until release
// is called. It never blocks (the engine already limits how many stages
// run at once); it only stops passes from borrowing that core.
func Hold() (release func()) {
	state.Add(stageUnit)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			state.Add(-stageUnit)
		}
	}
}

// Borrow takes up to want idle cores for helper goroutines of the calling
// pass and returns how many it took and a function that gives them back.
// When no stage holds a core (a library caller, a test), the caller's own
// goroutine counts as holding one, so a lone caller can borrow
// GOMAXPROCS−1 cores.
func Borrow(want int) (n int, giveBack func()) {
	if want <= 0 {
		return 0, noop
	}
	procs := int64(runtime.GOMAXPROCS(0))
	for {
		s := state.Load()
		stages, lent := s/stageUnit, s%stageUnit
		got := min(int64(want), procs-max(stages, 1)-lent)
		if got <= 0 {
			return 0, noop
		}
		if state.CompareAndSwap(s, s+got) {
			var once atomic.Bool
			return int(got), func() {
				if once.CompareAndSwap(false, true) {
					state.Add(-got)
				}
			}
		}
	}
}

// Held reports how many cores are held by stages or lent out right now.
func Held() int {
	s := state.Load()
	return int(s/stageUnit + s%stageUnit)
}

func noop() {}
