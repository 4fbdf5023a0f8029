package artifacts_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// These tests re-run the test binary as helper processes (selected by
// helperEnv), the standard way to get several real processes sharing one
// store directory.

const (
	helperEnv   = "ARTIFACTS_TEST_HELPER" // helper mode
	helperStore = "ARTIFACTS_TEST_STORE"  // store directory
	helperLog   = "ARTIFACTS_TEST_LOG"    // shared log file for the lock test
)

// Parameters of the shared-work helper.
const (
	sharedObjects = 40
	lockRounds    = 15
)

// sharedObject returns the i-th object every helper stores; sizes straddle
// the in-memory Put threshold.
func sharedObject(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("object %d;", i)), 1+i*i*50)
}

func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process for the multi-process tests")
	}
	s, err := artifacts.OpenDir(os.Getenv(helperStore))
	if err == nil {
		switch mode {
		case "shared":
			err = helperShared(s, os.Getenv(helperLog))
		case "hold-lock":
			err = helperHoldLock(s)
		case "stall-put":
			err = helperStallPut(s)
		default:
			err = fmt.Errorf("unknown helper mode %q", mode)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// helperShared puts the shared objects and appends begin/end lines to the
// log under the lock, sleeping in between so that overlap would show.
func helperShared(s *artifacts.DirStore, logPath string) error {
	ctx := context.Background()
	pid := os.Getpid()
	for r := range lockRounds {
		for i := r; i < sharedObjects; i += lockRounds {
			if _, err := s.Put(ctx, bytes.NewReader(sharedObject(i))); err != nil {
				return err
			}
		}
		unlock, err := s.Lock(ctx, "shared log")
		if err != nil {
			return err
		}
		if err := appendLine(logPath, fmt.Sprintf("begin %d", pid)); err != nil {
			return err
		}
		time.Sleep(2 * time.Millisecond)
		if err := appendLine(logPath, fmt.Sprintf("end %d", pid)); err != nil {
			return err
		}
		if err := unlock(); err != nil {
			return err
		}
	}
	return nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// helperHoldLock takes a lock, says so, and waits to be killed.
func helperHoldLock(s *artifacts.DirStore) error {
	if _, err := s.Lock(context.Background(), "held"); err != nil {
		return err
	}
	fmt.Println("locked")
	time.Sleep(time.Hour) // select{} would trip the runtime's deadlock check
	return errors.New("not killed within an hour")
}

// helperStallPut starts a Put whose reader delivers 1 MiB, says so, then
// never ends: the parent kills the process in the middle of the write.
func helperStallPut(s *artifacts.DirStore) error {
	r := io.MultiReader(bytes.NewReader(make([]byte, 1<<20)), stallReader{})
	_, err := s.Put(context.Background(), r)
	return err
}

type stallReader struct{}

func (stallReader) Read([]byte) (int, error) {
	fmt.Println("stalled")
	time.Sleep(time.Hour)
	return 0, errors.New("not killed within an hour")
}

// startHelper starts the test binary in a helper mode on store dir.
func startHelper(t *testing.T, mode, dir string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append(env, helperEnv+"="+mode, helperStore+"="+dir)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out)
}

// waitLine waits for the helper to print want.
func waitLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(line) != want {
		t.Fatalf("helper said %q (%v), want %q", line, err, want)
	}
}

// TestDirStoreTwoProcesses runs three processes that store the same objects
// and take turns under one lock.
func TestDirStoreTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	s := openDir(t)
	logPath := filepath.Join(t.TempDir(), "log")
	var cmds []*exec.Cmd
	for range 3 {
		cmd, _ := startHelper(t, "shared", s.Dir(), helperLog+"="+logPath)
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	ctx := context.Background()
	for i := range sharedObjects {
		b := sharedObject(i)
		if got, err := s.Get(ctx, artifacts.DigestOf(b)); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("shared object %d: %d bytes, %v", i, len(got), err)
		}
	}
	n := 0
	s.Objects(ctx, func(artifacts.Digest, int64) error { n++; return nil })
	if n != sharedObjects {
		t.Fatalf("store holds %d objects, want %d", n, sharedObjects)
	}
	checkLockLog(t, logPath, 3*lockRounds)
}

// checkLockLog checks that the log is rounds non-overlapping begin/end pairs.
func checkLockLog(t *testing.T, path string, rounds int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2*rounds {
		t.Fatalf("log has %d lines, want %d", len(lines), 2*rounds)
	}
	for i := 0; i < len(lines); i += 2 {
		pid, ok := strings.CutPrefix(lines[i], "begin ")
		if !ok || lines[i+1] != "end "+pid {
			t.Fatalf("log lines %d-%d = %q, %q: two processes held the lock at once", i, i+1, lines[i], lines[i+1])
		}
	}
}

// TestDirStoreLockAcrossProcesses checks that a lock held by another
// process excludes this one, and is freed when that process is killed.
func TestDirStoreLockAcrossProcesses(t *testing.T) {
	s := openDir(t)
	cmd, out := startHelper(t, "hold-lock", s.Dir())
	waitLine(t, out, "locked")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, "held"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while another process holds it: err %v, want DeadlineExceeded", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	unlock, err := s.Lock(ctx2, "held")
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	unlock()
}

// TestDirStoreKilledPut kills a process in the middle of a Put and checks
// that only a temporary file remains: no object, nothing partial.
func TestDirStoreKilledPut(t *testing.T) {
	s := openDir(t)
	cmd, out := startHelper(t, "stall-put", s.Dir())
	waitLine(t, out, "stalled")
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	ctx := context.Background()
	n := 0
	s.Objects(ctx, func(artifacts.Digest, int64) error { n++; return nil })
	if n != 0 {
		t.Fatalf("a killed Put left %d objects", n)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if len(tmp) != 1 {
		t.Fatalf("tmp/ holds %d files after a killed Put, want its 1 temporary file", len(tmp))
	}
	if info, _ := tmp[0].Info(); info.Size() != 1<<20 {
		t.Fatalf("temporary file has %d bytes, want the 1 MiB delivered", info.Size())
	}
	if removed, err := s.CleanTmp(0); err != nil || removed != 1 {
		t.Fatalf("CleanTmp = %d, %v", removed, err)
	}
}
