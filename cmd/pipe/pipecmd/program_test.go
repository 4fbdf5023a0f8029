package pipecmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestProgramNameVersionAndCommands runs a Program in process: its name
// and version reach `version` and error messages, and its extra commands
// run beside the engine's.
func TestProgramNameVersionAndCommands(t *testing.T) {
	called := false
	p := &Program{
		Name:    "wc",
		Version: "v1.2.3",
		Commands: []*cli.Command{{Name: "hello", Action: func(c *cli.Context) error {
			called = true
			return nil
		}}},
	}
	cases := []struct {
		args        []string
		code        int
		out, errOut string
	}{
		{[]string{"wc", "version"}, 0, "wc v1.2.3 (go", ""},
		{[]string{"wc", "hello"}, 0, "", ""},
		{[]string{"wc", "helo"}, 1, "", `wc: unknown command "helo"`},
		{[]string{"wc", "stages"}, 0, "no built-in stage kinds", ""},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := p.Run(c.args, &out, &errOut)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errOut.String(), c.errOut) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q, %q", c.args, code, out.String(), errOut.String(), c.code, c.out, c.errOut)
		}
	}
	if !called {
		t.Error("the extra command did not run")
	}
}
