package pipe_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Section citations such as "power.md §7.5", "power.md §2, §7.5",
// "power.md §0 and §7.4", "portfolio.md §5.5–6" or "portfolio.md §1.1–1.7"
// name sections of the task documents in docs/. citeRe finds the file and
// the run of section numbers after it; sectionRe splits that run.
var (
	citeRe    = regexp.MustCompile(`\b(synthetic|power|portfolio|method|README)\.md ?§§? ?([0-9]+(?:\.[0-9]+)*(?:(?: ?[–-] ?[0-9]+(?:\.[0-9]+)*)|(?:(?:, | and | or )§ ?[0-9]+(?:\.[0-9]+)*))*)`)
	sectionRe = regexp.MustCompile(`[0-9]+(?:\.[0-9]+)*(?: ?[–-] ?[0-9]+(?:\.[0-9]+)*)?`)
	headingRe = regexp.MustCompile(`^#{1,6} +([0-9]+(?:\.[0-9]+)*)\.?(?: |$)`)
)

// citation is one cited section and where the citation was found.
type citation struct {
	doc, section, where string
}

// TestDocsCitationsResolve checks that every "X.md §N" citation in the Go
// sources, README.md, pipelines.yaml and docs/ names a heading numbered N
// in docs/X.md, so that every reference resolves inside the repository.
func TestDocsCitationsResolve(t *testing.T) {
	cites := collectCitations(t, ".")
	if len(cites) < 100 {
		t.Fatalf("found only %d section citations; the scanner is broken", len(cites))
	}
	headings := map[string]map[string]bool{}
	for _, c := range cites {
		if headings[c.doc] == nil {
			headings[c.doc] = readHeadings(t, filepath.Join("docs", c.doc))
		}
		if !headings[c.doc][c.section] {
			t.Errorf("%s cites %s §%s, but docs/%s has no heading numbered %s", c.where, c.doc, c.section, c.doc, c.section)
		}
	}
}

// TestDocsNoOutsideReferences checks that no README, pipeline file, doc or
// non-test Go source points at the task specifications outside the
// repository (../shared/..., shared/spec).
func TestDocsNoOutsideReferences(t *testing.T) {
	bad := regexp.MustCompile(`\.\./shared/|shared/spec`)
	for _, path := range scannedFiles(t, ".") {
		if strings.HasSuffix(path, "_test.go") {
			continue // tests read real data from the machine's shared directory
		}
		forEachLine(t, path, func(n int, line string) {
			if bad.MatchString(line) {
				t.Errorf("%s:%d points outside the repository: %s", path, n, strings.TrimSpace(line))
			}
		})
	}
}

// TestCitationScanner pins the forms of citation the scanner understands.
func TestCitationScanner(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"(power.md §2, §7.5).", []string{"power.md 2", "power.md 7.5"}},
		{"power.md §0 and §7.4), and", []string{"power.md 0", "power.md 7.4"}},
		{"synthetic.md §4, power.md §4, portfolio.md §3.2", []string{"synthetic.md 4", "power.md 4", "portfolio.md 3.2"}},
		{"portfolio.md §5.5–6", []string{"portfolio.md 5.5", "portfolio.md 5.6"}},
		{"portfolio.md §1.1–1.3 on", []string{"portfolio.md 1.1", "portfolio.md 1.2", "portfolio.md 1.3"}},
		{"(power.md §0, Figure 4 notebook, 3 seeds)", []string{"power.md 0"}},
		{"spec synthetic.md §7 (10 runs), power.md §0 (10 seeds)", []string{"synthetic.md 7", "power.md 0"}},
		{"Boyd & Vandenberghe §11.7.3", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range parseCitations(tt.text, "x") {
			got = append(got, c.doc+" "+c.section)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("parseCitations(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// collectCitations scans every file the project's text lives in.
func collectCitations(t *testing.T, root string) []citation {
	t.Helper()
	var out []citation
	for _, path := range scannedFiles(t, root) {
		forEachLine(t, path, func(n int, line string) {
			out = append(out, parseCitations(line, path+":"+strconv.Itoa(n))...)
		})
	}
	return out
}

// scannedFiles lists *.go, README.md, pipelines.yaml and docs/*.md, sorted.
func scannedFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "results" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(name, ".go"),
			path == filepath.Join(root, "README.md"),
			path == filepath.Join(root, "pipelines.yaml"),
			filepath.Dir(path) == filepath.Join(root, "docs") && strings.HasSuffix(name, ".md"):
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	sort.Strings(files)
	return files
}

// parseCitations returns the sections one line cites, expanding ranges.
func parseCitations(line, where string) []citation {
	var out []citation
	for _, m := range citeRe.FindAllStringSubmatch(line, -1) {
		doc := m[1] + ".md"
		for _, s := range sectionRe.FindAllString(m[2], -1) {
			for _, sec := range expandRange(s) {
				out = append(out, citation{doc, sec, where})
			}
		}
	}
	return out
}

// expandRange turns "5.5–6" or "1.1–1.3" into every section of the range;
// a single section is returned as is.
func expandRange(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "–", "-")
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return []string{s}
	}
	prefix, first := "", from
	if i := strings.LastIndex(from, "."); i >= 0 {
		prefix, first = from[:i+1], from[i+1:]
	}
	last := to
	if i := strings.LastIndex(to, "."); i >= 0 {
		if to[:i+1] != prefix {
			return []string{from, to} // across sections: check both ends
		}
		last = to[i+1:]
	}
	a, errA := strconv.Atoi(first)
	b, errB := strconv.Atoi(last)
	if errA != nil || errB != nil || b < a || b-a > 50 {
		return []string{from, to}
	}
	var out []string
	for k := a; k <= b; k++ {
		out = append(out, prefix+strconv.Itoa(k))
	}
	return out
}

// readHeadings returns the section numbers of a Markdown file's headings;
// a missing file has none.
func readHeadings(t *testing.T, path string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("cited document %s: %v", path, err)
		return out
	}
	forEachLine(t, path, func(_ int, line string) {
		if m := headingRe.FindStringSubmatch(line); m != nil {
			out[m[1]] = true
		}
	})
	return out
}

// forEachLine calls fn with every line of a file and its 1-based number.
func forEachLine(t *testing.T, path string, fn func(n int, line string)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for n := 1; sc.Scan(); n++ {
		fn(n, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
}
