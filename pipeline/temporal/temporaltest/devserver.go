// Package temporaltest gives tests a Temporal service: the one named by
// PIPE_TEST_TEMPORAL_ADDR, or a dev server started from the binary named
// by PIPE_TEST_TEMPORAL_BIN (`temporal server start-dev`, in memory).
// Without either the test is skipped, except under CI, where it fails.
package temporaltest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// Address returns the host:port of a Temporal frontend for t.
func Address(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv("PIPE_TEST_TEMPORAL_ADDR"); addr != "" {
		return addr
	}
	bin := os.Getenv("PIPE_TEST_TEMPORAL_BIN")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but neither PIPE_TEST_TEMPORAL_ADDR nor PIPE_TEST_TEMPORAL_BIN is: .ci/run must install the temporal CLI")
		}
		t.Skip("PIPE_TEST_TEMPORAL_BIN (the temporal CLI, go install github.com/temporalio/cli/cmd/temporal@v1.5.1) or PIPE_TEST_TEMPORAL_ADDR not set")
	}
	return start(t, bin)
}

// start runs a dev server on free loopback ports until the test ends.
func start(t testing.TB, bin string) string {
	ports := freePorts(t, 3)
	cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]),
		"--metrics-port", strconv.Itoa(ports[2]), "--log-level", "error")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start temporal dev server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := client.Dial(client.Options{HostPort: addr, Logger: Quiet()})
		if err == nil {
			_, err = c.CheckHealth(context.Background(), &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return addr
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("temporal dev server at %s not ready after 30 s", addr)
	return ""
}

// Dial connects a client to addr, closed when the test ends.
func Dial(t testing.TB, addr string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Logger: Quiet()})
	if err != nil {
		t.Fatalf("dial temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(t testing.TB, n int) []int {
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// Quiet is a logger that keeps only warnings and errors.
func Quiet() log.Logger { return quiet{} }

type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal warn:", msg}, kv...)...)
}
func (quiet) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal error:", msg}, kv...)...)
}
