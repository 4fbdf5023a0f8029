// Package kinds holds the stage kinds of the letters example: words splits
// a text into words, count counts the letters of those words.
package kinds

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/diffusion-dfl/pipe/arrowtab"
	"github.com/diffusion-dfl/pipe/kind"
)

// Register adds the example's kinds to reg.
func Register(reg *kind.Registry) error {
	for _, k := range []kind.Kind{wordsKind, countKind} {
		if err := reg.Register(k); err != nil {
			return err
		}
	}
	return nil
}

var wordsKind = kind.Kind{
	Name:    "words",
	Doc:     "Splits the text param into words.",
	Params:  []kind.ParamSpec{{Name: "text", Type: kind.String, Default: "the quick brown fox", Doc: "the text to split"}},
	Outputs: []kind.PortSpec{{Name: "words", Doc: "one row per word (column word)"}},
	Run:     runWords,
}

// runWords is the words kind.
func runWords(_ context.Context, _ kind.Inputs, p kind.Params, r kind.Reporter) (kind.Outputs, error) {
	words := strings.Fields(p.String("text"))
	r.Logf("%d words", len(words))
	rec, err := arrowtab.NewBuilder().String("word", words).Record(nil)
	if err != nil {
		return nil, fmt.Errorf("words table: %w", err)
	}
	return kind.Outputs{"words": rec}, nil
}

var countKind = kind.Kind{
	Name:    "count",
	Doc:     "Counts the letters of the input words.",
	Inputs:  []kind.PortSpec{{Name: "words", Doc: "a table with a string column word"}},
	Outputs: []kind.PortSpec{{Name: "counts", Doc: "one row per letter (columns letter, n)"}},
	Run:     runCount,
}

// runCount is the count kind.
func runCount(_ context.Context, in kind.Inputs, _ kind.Params, r kind.Reporter) (kind.Outputs, error) {
	words, err := arrowtab.Strings(in.Tables["words"], "word")
	if err != nil {
		return nil, fmt.Errorf("count: input: %w", err)
	}
	letters, counts := countLetters(words)
	r.Logf("%d distinct letters", len(letters))
	rec, err := arrowtab.NewBuilder().String("letter", letters).Int64("n", counts).Record(nil)
	if err != nil {
		return nil, fmt.Errorf("counts table: %w", err)
	}
	return kind.Outputs{"counts": rec}, nil
}

// countLetters counts each letter of words, letters in order.
func countLetters(words []string) ([]string, []int64) {
	n := map[string]int64{}
	for _, w := range words {
		for _, c := range w {
			n[string(c)]++
		}
	}
	letters := make([]string, 0, len(n))
	for l := range n {
		letters = append(letters, l)
	}
	sort.Strings(letters)
	counts := make([]int64, len(letters))
	for i, l := range letters {
		counts[i] = n[l]
	}
	return letters, counts
}
