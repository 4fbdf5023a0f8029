package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

// s3Env returns the environment that points pipe at the in-process S3
// fake (gofakes3 on httptest) with one bucket, "pipe".
func s3Env(t *testing.T) []string {
	t.Helper()
	backend := s3mem.New()
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(ts.Close)
	if err := backend.CreateBucket("pipe"); err != nil {
		t.Fatal(err)
	}
	return []string{"PIPE_S3_ENDPOINT=" + ts.URL, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test"}
}

// realS3Env returns the environment for the S3 service at
// PIPE_TEST_S3_ENDPOINT (host:port; .ci/run starts versitygw there) with
// its bucket "pipe" created, or skips the test without the variable
// (except in CI, which must set it).
func realS3Env(t *testing.T) []string {
	t.Helper()
	ep := os.Getenv("PIPE_TEST_S3_ENDPOINT")
	if ep == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PIPE_TEST_S3_ENDPOINT is not: .ci/run must start the S3 server")
		}
		t.Skip("PIPE_TEST_S3_ENDPOINT not set (host:port of an S3 service such as versitygw; .ci/run starts one)")
	}
	access, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	c, err := minio.New(ep, &minio.Options{Creds: credentials.NewStaticV4(access, secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, err := c.BucketExists(ctx, "pipe"); err != nil {
		t.Fatalf("S3 service at %s: %v", ep, err)
	} else if !ok {
		if err := c.MakeBucket(ctx, "pipe", minio.MakeBucketOptions{}); err != nil {
			t.Fatalf("make bucket: %v", err)
		}
	}
	return []string{"PIPE_S3_ENDPOINT=http://" + ep, "AWS_ACCESS_KEY_ID=" + access, "AWS_SECRET_ACCESS_KEY=" + secret}
}

func TestE2ES3StoreFake(t *testing.T) { checkS3Store(t, s3Env(t)) }

func TestE2ES3StoreReal(t *testing.T) { checkS3Store(t, realS3Env(t)) }

// checkS3Store runs the wordcount example with its store in S3: a first
// run computes every stage, later runs (one with an empty local cache, so
// everything comes from the service) compute none, status, show and logs
// read the results back, gc refuses, and the project's directory holds no
// store of its own.
func checkS3Store(t *testing.T, env []string) {
	dir := copyExample(t)
	store := fmt.Sprintf("s3://pipe/e2e-%d/store", time.Now().UnixNano())
	pipeS3 := func(cache string, args ...string) result {
		t.Helper()
		r := pipeWithEnv(t, dir, append(env, "PIPE_S3_CACHE="+cache), append([]string{"--store", store}, args...)...)
		if r.code != 0 {
			t.Fatalf("pipe %v exited %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	cache := t.TempDir()
	got, out := statusesOf(t, pipeS3(cache, "run", "--json", "all").stdout)
	if got != "count-1:ran count-2:ran count-3:ran summary:ran text-1:ran text-2:ran text-3:ran" || !out.OK {
		t.Fatalf("first run: %s", got)
	}
	for _, c := range []string{cache, t.TempDir()} { // the second cache starts empty
		if got, _ := statusesOf(t, pipeS3(c, "run", "--json", "all").stdout); strings.Contains(got, ":ran") {
			t.Fatalf("run with cache %s reran: %s", c, got)
		}
	}
	var st statusOut
	if err := json.Unmarshal([]byte(pipeS3(t.TempDir(), "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Stages {
		if s.Status != "cached" {
			t.Errorf("status of %s: %s (%s), want cached", s.Name, s.Status, s.Reason)
		}
	}
	if len(st.Stages) != 7 {
		t.Errorf("status lists %d stages, want 7", len(st.Stages))
	}
	fresh := t.TempDir()
	if show := pipeS3(fresh, "show", "summary.table").stdout; !strings.Contains(show, "alpha,") {
		t.Errorf("show:\n%s", show)
	}
	var sj struct{ Digest, Path string }
	if err := json.Unmarshal([]byte(pipeS3(fresh, "show", "--json", "summary").stdout), &sj); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(sj.Path); err != nil || !strings.HasPrefix(string(b), "alpha,") || !strings.HasPrefix(sj.Path, fresh) {
		t.Errorf("show --json path %q (cache %s): %q, %v", sj.Path, fresh, b, err)
	}
	if logs := pipeS3(fresh, "logs", "text-1"); !strings.Contains(logs.stderr, "# log of text-1") {
		t.Errorf("logs header: %q", logs.stderr)
	}
	gc := pipeWithEnv(t, dir, env, "--store", store, "gc")
	if gc.code == 0 || !strings.Contains(gc.stderr, "gc does not support the store "+store) {
		t.Errorf("gc on S3: exit %d, stderr %q", gc.code, gc.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".pipe", "objects")); !os.IsNotExist(err) {
		t.Errorf("an S3 run made a directory store in the project (stat: %v)", err)
	}
}

// TestE2EExecutorSetting checks the top-level executor: setting of
// pipelines.yaml: the program checks its name, and --executor or
// PIPE_EXECUTOR overrides it.
func TestE2EExecutorSetting(t *testing.T) {
	dir := copyExample(t)
	b, err := os.ReadFile(filepath.Join(dir, "pipelines.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "pipelines.yaml", "executor: nowhere\n"+string(b))
	r := pipeIn(t, dir, "run", "--profile", "ci", "all")
	if r.code == 0 || !strings.Contains(r.stderr, `pipelines.yaml "nowhere": use local or temporal`) {
		t.Fatalf("run with executor: nowhere: exit %d, stderr %q", r.code, r.stderr)
	}
	got, _ := statusesOf(t, mustPipe(t, dir, "run", "--json", "--executor", "local", "--profile", "ci", "all").stdout)
	if got != "count-1:ran summary:ran text-1:ran" {
		t.Fatalf("run --executor local: %s", got)
	}
	r = pipeWithEnv(t, dir, []string{"PIPE_EXECUTOR=local"}, "run", "--json", "--profile", "ci", "all")
	if got, _ := statusesOf(t, r.stdout); r.code != 0 || got != "count-1:cached summary:cached text-1:cached" {
		t.Fatalf("run with PIPE_EXECUTOR=local: exit %d, %s\n%s", r.code, got, r.stderr)
	}
}

// TestE2ETemporalS3Store runs the wordcount example on a `pipe worker`
// with the client and the worker sharing only an S3 store (the fake): the
// worker computes every stage, and a local run from an empty cache then
// finds every stage cached.
func TestE2ETemporalS3Store(t *testing.T) {
	addr := temporaltest.Address(t)
	env := s3Env(t)
	store := "s3://pipe/cluster"
	w := exec.Command(pipeBin, "worker", "--store", store, "--cache", t.TempDir(), "--temporal", addr)
	w.Env = append(cleanEnv(), env...)
	var werr syncBuf
	w.Stderr = &werr
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = w.Process.Kill()
		_ = w.Wait()
		if t.Failed() {
			t.Logf("worker stderr:\n%s", werr.String())
		}
	})
	dir := copyExample(t)
	run := func(cache string, args ...string) string {
		t.Helper()
		r := pipeWithEnv(t, dir, append(env, "PIPE_S3_CACHE="+cache), append([]string{"--store", store, "run", "--json", "--profile", "ci"}, args...)...)
		if r.code != 0 {
			t.Fatalf("pipe run %v exited %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
		got, _ := statusesOf(t, r.stdout)
		return got
	}
	if got := run(t.TempDir(), "--executor", "temporal", "--temporal", addr, "all"); got != "count-1:ran summary:ran text-1:ran" {
		t.Fatalf("distributed run: %s", got)
	}
	if got := run(t.TempDir(), "all"); got != "count-1:cached summary:cached text-1:cached" {
		t.Fatalf("local run after the distributed one: %s", got)
	}
}
