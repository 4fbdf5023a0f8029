package temporal_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
	"github.com/diffusion-dfl/pipe/pipeline/temporal"
	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

// cluster is an in-process Temporal client with workers over one store.
type cluster struct {
	store *artifacts.DirStore
	x     *temporal.Executor
}

// newCluster starts `workers` workers of `slots` slots each, each with its
// own client connection (as separate processes would have).
func newCluster(b *testing.B, workers, slots int) *cluster {
	addr := temporaltest.Address(b)
	s, err := artifacts.OpenDir(filepath.Join(b.TempDir(), "store"))
	if err != nil {
		b.Fatal(err)
	}
	build := randomHex(16)
	for range workers {
		wc := temporaltest.Dial(b, addr)
		acts := &temporal.Activities{Store: s, Registry: pipeline.NewRegistry(), Build: build, CacheDir: b.TempDir(),
			Executor: local.New(s, local.Options{TempDir: b.TempDir()})}
		w := temporal.NewWorker(wc, temporal.WorkerOptions{Slots: slots, Activities: acts})
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(w.Stop)
	}
	c := temporaltest.Dial(b, addr)
	return &cluster{store: s, x: temporal.New(temporal.Options{Client: c, Store: s, Build: build, Scope: randomHex(8)})}
}

// sleepTask is a shell stage that sleeps d and writes its index.
func sleepTask(dir string, i int, d time.Duration, salt string) *pipeline.Task {
	key := artifacts.Key(artifacts.DigestOf([]byte(fmt.Sprint(salt, i))))
	return &pipeline.Task{Stage: fmt.Sprint("s", i), Key: key, Dir: dir, Outputs: []string{"out"},
		Run: fmt.Sprintf(`sleep %g; echo %d > "$PIPE_OUT_OUT"`, d.Seconds(), i)}
}

// BenchmarkTwentyStages runs 20 independent stages of 1.5 s on 2 workers
// of 2 slots; x-ideal is the wall time over the ideal 20 × 1.5 s / 4.
func BenchmarkTwentyStages(b *testing.B) {
	c := newCluster(b, 2, 2)
	dir := b.TempDir()
	const n, each = 20, 1500 * time.Millisecond
	for i := 0; i < b.N; i++ {
		salt := randomHex(8)
		start := time.Now()
		var wg sync.WaitGroup
		for j := range n {
			wg.Go(func() {
				if _, err := c.x.Execute(context.Background(), sleepTask(dir, j, each, salt)); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		ideal := time.Duration(n) * each / 4
		b.ReportMetric(time.Since(start).Seconds()/ideal.Seconds(), "x-ideal")
	}
}

// BenchmarkStageOverhead runs trivial stages one after another through
// Temporal and locally; overhead-ms is the difference per stage.
func BenchmarkStageOverhead(b *testing.B) {
	c := newCluster(b, 1, 1)
	dir := b.TempDir()
	lx := local.New(c.store, local.Options{TempDir: b.TempDir()})
	const n = 10
	for i := 0; i < b.N; i++ {
		salt := randomHex(8)
		timeOf := func(x pipeline.Executor, tag string) time.Duration {
			start := time.Now()
			for j := range n {
				if _, err := x.Execute(context.Background(), sleepTask(dir, j, 0, salt+tag)); err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(start) / n
		}
		remote, here := timeOf(c.x, "r"), timeOf(lx, "l")
		b.ReportMetric(float64(remote-here)/float64(time.Millisecond), "overhead-ms/stage")
	}
}

// BenchmarkCachedRun200S3 is a fully cached run of the 200-stage DAG on an
// S3 store over loopback: versitygw when PIPE_TEST_S3_ENDPOINT is set,
// else an in-process gofakes3 server; the store has a local cache, as a
// client would.
func BenchmarkCachedRun200S3(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("..", "testdata", "dag200.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "pipelines.yaml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		b.Fatal(err)
	}
	store := openBenchS3(b)
	run := func() *pipeline.Report {
		f, err := pipeline.Load(path, pipeline.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Executor: local.New(store, local.Options{TempDir: b.TempDir()})})
		rep, err := eng.Run(context.Background(), []string{"all"}, pipeline.RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	if rep := run(); rep.Count(pipeline.StatusRan) != 200 {
		b.Fatalf("first run ran %d stages", rep.Count(pipeline.StatusRan))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rep := run(); rep.Count(pipeline.StatusCached) != 200 {
			b.Fatalf("cached run: %d cached", rep.Count(pipeline.StatusCached))
		}
	}
}

// openBenchS3 opens an S3 store under a fresh prefix.
func openBenchS3(b *testing.B) *artifacts.S3Store {
	ep, access, secret := os.Getenv("PIPE_TEST_S3_ENDPOINT"), os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	bucket := "pipe-bench"
	if ep == "" {
		backend := s3mem.New()
		ts := httptest.NewServer(gofakes3.New(backend).Server())
		b.Cleanup(ts.Close)
		ep, access, secret = strings.TrimPrefix(ts.URL, "http://"), "bench", "bench"
	}
	mc, err := minio.New(ep, &minio.Options{Creds: credentials.NewStaticV4(access, secret, "")})
	if err != nil {
		b.Fatal(err)
	}
	if ok, err := mc.BucketExists(context.Background(), bucket); err != nil {
		b.Fatal(err)
	} else if !ok {
		if err := mc.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	s, err := artifacts.OpenS3(context.Background(), artifacts.S3Options{Endpoint: ep, Bucket: bucket, Insecure: true,
		AccessKey: access, SecretKey: secret, Prefix: randomHex(8), CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
