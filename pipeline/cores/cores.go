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
// Two stages that each spread over both cores leave cores idle while
// their helpers hand work over and wait, and share both cores' caches; the
// README's Performance section has the figures.
//
// The cores a pass borrows change only how many goroutines share its
// fixed pieces of work, never the pieces or the order their partial
// results are combined in, so callers keep results bit-identical however
// many cores they get.
package cores

import (
	"runtime"
	"sync"
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

// Do calls fn(i) for every i in [0, n), handing out indices in increasing
// order to the calling goroutine and to up to workers−1 helpers started on
// borrowed cores; with none free every index runs on the caller. fn must
// write only what index i owns, so results do not depend on the helpers.
func Do(n, workers int, fn func(i int)) {
	helpers, giveBack := Borrow(min(workers, n) - 1)
	defer giveBack()
	if helpers == 0 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
		}
	}
	var wg sync.WaitGroup
	for range helpers {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// Held reports how many cores are held by stages or lent out right now.
func Held() int {
	s := state.Load()
	return int(s/stageUnit + s%stageUnit)
}

func noop() {}
