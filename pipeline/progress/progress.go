package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Display renders the events of one run. Observe may be called from any
// goroutine.
type Display struct {
	w     io.Writer
	live  bool
	total int
	mu    sync.Mutex
	start time.Time
	count map[pipeline.EventType]int
	runs  []*running // in start order
	drawn int        // lines of the live block on screen
	stop  chan struct{}
	done  chan struct{}
}

// running is a stage being executed.
type running struct {
	name        string
	start       time.Time
	done, total int64
	unit        string
}

// New returns a display for a run of total stages. live selects the
// redrawn terminal block; otherwise it prints plain lines.
func New(w io.Writer, live bool, total int) *Display {
	return &Display{w: w, live: live, total: total, start: time.Now(), count: map[pipeline.EventType]int{}}
}

// Start begins redrawing the live block (no-op for plain output).
func (d *Display) Start() {
	if !d.live {
		return
	}
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.mu.Lock()
				d.redraw()
				d.mu.Unlock()
			}
		}
	}()
}

// Stop ends the live block, leaving its final state on screen.
func (d *Display) Stop() {
	if d.stop != nil {
		close(d.stop)
		<-d.done
		d.stop = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live {
		d.redraw()
	}
}

// Observe takes one event of the run.
func (d *Display) Observe(ev pipeline.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ev.Type != pipeline.EventProgress {
		d.count[ev.Type]++
	}
	switch ev.Type {
	case pipeline.EventStarted:
		d.runs = append(d.runs, &running{name: ev.Stage, start: ev.Time})
		d.println(fmt.Sprintf("running stage %s: %s", ev.Stage, ev.Reason))
	case pipeline.EventProgress:
		for _, r := range d.runs {
			if r.name == ev.Stage {
				r.done, r.total, r.unit = ev.Done, ev.Total, ev.Unit
			}
		}
	case pipeline.EventCached:
		d.finished(ev.Stage)
		if !d.live {
			line := "cached stage " + ev.Stage
			if ev.Reused {
				line += " (produced meanwhile by another pipe run)"
			}
			d.println(line)
		}
	case pipeline.EventRan:
		d.finished(ev.Stage)
		d.println(fmt.Sprintf("ran stage %s in %s", ev.Stage, seconds(ev.Duration)))
	case pipeline.EventFailed:
		d.finished(ev.Stage)
		d.println(failure(ev))
	case pipeline.EventSkipped:
		d.println(fmt.Sprintf("skipped stage %s: %s", ev.Stage, ev.Reason))
	}
}

func failure(ev pipeline.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FAILED stage %s: %v", ev.Stage, ev.Err)
	if ev.LogTail != "" {
		b.WriteString("\n  last lines of its log (pipe logs " + ev.Stage + "):")
		for _, l := range strings.Split(ev.LogTail, "\n") {
			b.WriteString("\n  | " + l)
		}
	}
	return b.String()
}

func (d *Display) finished(stage string) {
	for i, r := range d.runs {
		if r.name == stage {
			d.runs = append(d.runs[:i], d.runs[i+1:]...)
			return
		}
	}
}

// println prints a line; on a terminal above the live block, which is
// redrawn below it.
func (d *Display) println(s string) {
	if d.live {
		d.clear()
		fmt.Fprintln(d.w, s)
		d.redraw()
		return
	}
	fmt.Fprintln(d.w, s)
}

// clear moves to the top of the live block and erases it.
func (d *Display) clear() {
	if d.drawn > 0 {
		fmt.Fprintf(d.w, "\x1b[%dA\r\x1b[J", d.drawn)
		d.drawn = 0
	}
}

func (d *Display) redraw() {
	d.clear()
	lines := d.block(time.Now())
	for _, l := range lines {
		fmt.Fprintln(d.w, l)
	}
	d.drawn = len(lines)
}

// block renders the live block at time now.
func (d *Display) block(now time.Time) []string {
	finished := d.count[pipeline.EventCached] + d.count[pipeline.EventRan] + d.count[pipeline.EventFailed] + d.count[pipeline.EventSkipped]
	pending := d.total - finished - len(d.runs)
	head := fmt.Sprintf("[%s] %d pending · %d running · %d cached · %d done", clock(now.Sub(d.start)),
		pending, len(d.runs), d.count[pipeline.EventCached], d.count[pipeline.EventRan])
	if n := d.count[pipeline.EventFailed]; n > 0 {
		head += fmt.Sprintf(" · %d failed", n)
	}
	if n := d.count[pipeline.EventSkipped]; n > 0 {
		head += fmt.Sprintf(" · %d skipped", n)
	}
	lines := []string{head}
	for _, r := range d.runs {
		lines = append(lines, "  "+r.line(now))
	}
	return lines
}

const barWidth = 24

func (r *running) line(now time.Time) string {
	name := r.name
	if len(name) > 32 {
		name = name[:31] + "…"
	}
	el := seconds(now.Sub(r.start))
	if r.total <= 0 {
		return fmt.Sprintf("%-32s running %s", name, el)
	}
	frac := float64(r.done) / float64(r.total)
	frac = min(max(frac, 0), 1)
	fill := int(frac * barWidth)
	bar := strings.Repeat("=", fill)
	if fill < barWidth {
		bar += ">" + strings.Repeat(" ", barWidth-fill-1)
	}
	return fmt.Sprintf("%-32s [%s] %d/%d %s %s", name, bar, r.done, r.total, r.unit, el)
}

func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

func clock(d time.Duration) string {
	s := int(d.Seconds())
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}
