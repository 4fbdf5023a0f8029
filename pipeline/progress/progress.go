package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/diffusion-dfl/pipe/pipeline"
)

// Options configure a Display.
type Options struct {
	// Live selects the redrawn terminal block; otherwise plain lines.
	Live bool
	// Stages are the stages of the run (its closure), for counts and ETA.
	Stages []string
	// Jobs is the number of stages run at once (for the ETA); 0 means 1.
	Jobs int
	// Expected is how long each stage is expected to take, from earlier
	// runs; stages missing from it have no estimate.
	Expected map[string]time.Duration
	// Verbose prints a line for every skipped stage instead of a summary.
	Verbose bool
	// Every is the interval of status lines off a terminal; 0 means 30 s,
	// negative means none.
	Every time.Duration
}

// Display renders the events of one run. Observe may be called from any
// goroutine.
type Display struct {
	w        io.Writer
	opts     Options
	mu       sync.Mutex
	start    time.Time
	count    map[pipeline.EventType]int
	finished map[string]bool
	runs     []*running // in start order
	skipped  map[string]int
	drawn    int // lines of the live block on screen
	stop     chan struct{}
	done     chan struct{}
}

// running is a stage being executed.
type running struct {
	name        string
	start       time.Time
	done, total int64
	unit        string
}

// New returns a display writing to w.
func New(w io.Writer, opts Options) *Display {
	if opts.Every == 0 {
		opts.Every = 30 * time.Second
	}
	return &Display{w: w, opts: opts, start: time.Now(), count: map[pipeline.EventType]int{},
		finished: map[string]bool{}, skipped: map[string]int{}}
}

// Start begins redrawing the live block, or printing status lines off a
// terminal.
func (d *Display) Start() {
	every := 100 * time.Millisecond
	if !d.opts.Live {
		if d.opts.Every < 0 {
			return
		}
		every = d.opts.Every
	}
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case now := <-t.C:
				d.mu.Lock()
				if d.opts.Live {
					d.redraw()
				} else {
					fmt.Fprintln(d.w, d.statusLine(now))
				}
				d.mu.Unlock()
			}
		}
	}()
}

// Stop ends the live block, leaving its final state on screen, and prints
// the summary of skipped stages.
func (d *Display) Stop() {
	if d.stop != nil {
		close(d.stop)
		<-d.done
		d.stop = nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.skipSummary(); s != "" {
		d.println(s)
	}
	if d.opts.Live {
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
		d.finish(ev.Stage)
		if !d.opts.Live {
			line := "cached stage " + ev.Stage
			if ev.Reused {
				line += " (produced meanwhile by another pipe run)"
			}
			d.println(line)
		}
	case pipeline.EventRan:
		d.finish(ev.Stage)
		d.println(fmt.Sprintf("ran stage %s in %s", ev.Stage, seconds(ev.Duration)))
	case pipeline.EventFailed:
		d.finish(ev.Stage)
		d.println(failure(ev))
	case pipeline.EventInterrupted:
		d.finish(ev.Stage)
		d.println(fmt.Sprintf("interrupted stage %s (nothing of it was recorded)", ev.Stage))
	case pipeline.EventSkipped:
		d.finished[ev.Stage] = true
		d.skipped[skipGroup(ev.Reason)]++
		if d.opts.Verbose {
			d.println(fmt.Sprintf("skipped stage %s: %s", ev.Stage, ev.Reason))
		}
	}
}

// failure prints a failed stage's error (without a second "stage X:"
// prefix) and the tail of its log.
func failure(ev pipeline.Event) string {
	var b strings.Builder
	msg := fmt.Sprint(ev.Err)
	msg = strings.TrimPrefix(msg, "stage "+ev.Stage+": ")
	msg = strings.TrimPrefix(msg, fmt.Sprintf("stage %q: ", ev.Stage))
	fmt.Fprintf(&b, "FAILED stage %s: %s", ev.Stage, msg)
	if ev.LogTail != "" {
		b.WriteString("\n  last lines of its log (pipe logs " + ev.Stage + "):")
		for _, l := range strings.Split(ev.LogTail, "\n") {
			b.WriteString("\n  | " + l)
		}
	}
	return b.String()
}

func (d *Display) finish(stage string) {
	d.finished[stage] = true
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
	if d.opts.Live {
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

// head renders the counts line at time now.
func (d *Display) head(now time.Time) string {
	pending := len(d.opts.Stages) - len(d.finished) - len(d.runs)
	head := fmt.Sprintf("[%s] %d pending · %d running · %d cached · %d done", clock(now.Sub(d.start)),
		pending, len(d.runs), d.count[pipeline.EventCached], d.count[pipeline.EventRan])
	if n := d.count[pipeline.EventFailed]; n > 0 {
		head += fmt.Sprintf(" · %d failed", n)
	}
	if n := d.count[pipeline.EventSkipped]; n > 0 {
		head += fmt.Sprintf(" · %d skipped", n)
	}
	if eta := d.eta(now); eta != "" {
		head += " · ETA " + eta
	}
	return head
}

// block renders the live block at time now.
func (d *Display) block(now time.Time) []string {
	lines := []string{d.head(now)}
	for _, r := range d.runs {
		lines = append(lines, "  "+r.line(now))
	}
	return lines
}

// statusLine is the periodic line off a terminal: the counts and the
// running stages with their elapsed time.
func (d *Display) statusLine(now time.Time) string {
	s := d.head(now)
	var names []string
	for _, r := range d.runs {
		n := r.name + " " + seconds(now.Sub(r.start))
		if r.total > 0 {
			n += fmt.Sprintf(" %d/%d %s", r.done, r.total, r.unit)
		}
		names = append(names, n)
	}
	if len(names) > 0 {
		s += " (" + strings.Join(names, ", ") + ")"
	}
	return s
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
