package cores

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// withProcs runs f with GOMAXPROCS set to n and nothing held.
func withProcs(t *testing.T, n int, f func()) {
	t.Helper()
	if h := Held(); h != 0 {
		t.Fatalf("%d cores held before the test", h)
	}
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	f()
	if h := Held(); h != 0 {
		t.Fatalf("%d cores still held after the test", h)
	}
}

func TestBorrowLendsOnlyIdleCores(t *testing.T) {
	withProcs(t, 4, func() {
		// A lone caller (no stage holds a core) counts as one core.
		n, back := Borrow(8)
		if n != 3 {
			t.Errorf("lone caller borrowed %d of 4 cores' helpers, want 3", n)
		}
		if m, _ := Borrow(1); m != 0 {
			t.Errorf("borrowed %d with every core lent, want 0", m)
		}
		back()
		back() // giving back twice must not free cores someone else holds

		release1, release2 := Hold(), Hold()
		if n, back := Borrow(8); n != 2 {
			t.Errorf("two stages on 4 cores: borrowed %d, want 2", n)
		} else {
			back()
		}
		release3, release4 := Hold(), Hold()
		if n, _ := Borrow(1); n != 0 {
			t.Errorf("four stages on 4 cores: borrowed %d, want 0", n)
		}
		release4()
		release4()
		if n, back := Borrow(5); n != 1 {
			t.Errorf("three stages on 4 cores: borrowed %d, want 1", n)
		} else {
			back()
		}
		release1()
		release2()
		release3()
	})
}

func TestBorrowNothingWanted(t *testing.T) {
	withProcs(t, 2, func() {
		for _, want := range []int{0, -3} {
			if n, back := Borrow(want); n != 0 {
				t.Errorf("Borrow(%d) = %d, want 0", want, n)
			} else {
				back()
			}
		}
	})
}

func TestOneCoreLendsNothing(t *testing.T) {
	withProcs(t, 1, func() {
		if n, _ := Borrow(4); n != 0 {
			t.Errorf("GOMAXPROCS=1: borrowed %d, want 0", n)
		}
	})
}

// TestBorrowConcurrent checks that concurrent borrowers never hold more
// cores than there are (run with -race).
func TestBorrowConcurrent(t *testing.T) {
	withProcs(t, 3, func() {
		release := Hold()
		defer release()
		var wg sync.WaitGroup
		var mu sync.Mutex
		maxHeld := 0
		for range 16 {
			wg.Go(func() {
				for range 1000 {
					n, back := Borrow(2)
					mu.Lock()
					maxHeld = max(maxHeld, Held())
					mu.Unlock()
					if n < 0 || n > 2 {
						t.Errorf("borrowed %d, want 0..2", n)
					}
					back()
				}
			})
		}
		wg.Wait()
		if maxHeld > 3 {
			t.Errorf("up to %d cores held on GOMAXPROCS=3", maxHeld)
		}
	})
}

// TestDoCallsEveryIndexOnce: Do calls fn once per index whether it gets
// helpers (a lone caller) or none (every core held).
func TestDoCallsEveryIndexOnce(t *testing.T) {
	withProcs(t, 2, func() {
		for _, holds := range []int{0, 2} {
			var releases []func()
			for range holds {
				releases = append(releases, Hold())
			}
			calls := make([]atomic.Int32, 100)
			Do(len(calls), 4, func(i int) { calls[i].Add(1) })
			for i := range calls {
				if c := calls[i].Load(); c != 1 {
					t.Errorf("%d cores held: index %d called %d times", holds, i, c)
				}
			}
			for _, r := range releases {
				r()
			}
		}
	})
}
