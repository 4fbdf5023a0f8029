package artifacts_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/artifacts/storetest"
)

// s3Server is an S3 endpoint the tests store into.
type s3Server struct {
	endpoint, bucket, access, secret string
	n                                atomic.Int64 // makes each store's prefix unique
}

// fakeS3 starts an in-process S3 fake (gofakes3, in memory) with one bucket.
func fakeS3(t testing.TB) *s3Server {
	t.Helper()
	backend := s3mem.New()
	ts := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(ts.Close)
	if err := backend.CreateBucket("pipe"); err != nil {
		t.Fatal(err)
	}
	return &s3Server{endpoint: strings.TrimPrefix(ts.URL, "http://"), bucket: "pipe", access: "test", secret: "test"}
}

// realS3 returns the S3 service named by PIPE_TEST_S3_ENDPOINT (.ci/run
// starts versitygw there), creating its bucket. Without the variable the
// test is skipped, except in CI, where the service is required.
func realS3(t testing.TB) *s3Server {
	t.Helper()
	ep := os.Getenv("PIPE_TEST_S3_ENDPOINT")
	if ep == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but PIPE_TEST_S3_ENDPOINT is not: .ci/run must start the S3 server")
		}
		t.Skip("PIPE_TEST_S3_ENDPOINT not set (host:port of an S3 service such as versitygw; .ci/run starts one)")
	}
	srv := &s3Server{endpoint: ep, bucket: "pipe-test",
		access: os.Getenv("AWS_ACCESS_KEY_ID"), secret: os.Getenv("AWS_SECRET_ACCESS_KEY")}
	c := srv.client(t)
	ctx := context.Background()
	if ok, err := c.BucketExists(ctx, srv.bucket); err != nil {
		t.Fatalf("S3 service at %s: %v", ep, err)
	} else if !ok {
		if err := c.MakeBucket(ctx, srv.bucket, minio.MakeBucketOptions{}); err != nil {
			t.Fatalf("make bucket: %v", err)
		}
	}
	return srv
}

// client is a plain client of the server, for the corruption hook.
func (srv *s3Server) client(t testing.TB) *minio.Client {
	c, err := minio.New(srv.endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.access, srv.secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// open returns a store under a fresh prefix; cached adds a local cache.
func (srv *s3Server) open(t testing.TB, cached bool) *artifacts.S3Store {
	t.Helper()
	opts := artifacts.S3Options{Endpoint: srv.endpoint, Bucket: srv.bucket, Insecure: true,
		AccessKey: srv.access, SecretKey: srv.secret, LeaseTTL: 3 * time.Second,
		Prefix: fmt.Sprintf("t%d-%d/store", time.Now().UnixNano(), srv.n.Add(1))}
	if cached {
		opts.CacheDir = t.TempDir()
	}
	s, err := artifacts.OpenS3(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// corrupt replaces object d with damaged bytes behind the store's back.
func (srv *s3Server) corrupt(t *testing.T, st artifacts.Store, d artifacts.Digest) {
	t.Helper()
	s := st.(*artifacts.S3Store)
	key := strings.TrimPrefix(s.String(), "s3://"+srv.bucket+"/") + "/objects/" + string(d[:2]) + "/" + string(d)
	c := srv.client(t)
	ctx := context.Background()
	obj, err := c.GetObject(ctx, srv.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(obj)
	obj.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		b = []byte{0}
	} else {
		b[len(b)-1] ^= 0xff
	}
	if _, err := c.PutObject(ctx, srv.bucket, key, bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
}

func runS3Conformance(t *testing.T, srv *s3Server) {
	for _, cached := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache=%v", cached), func(t *testing.T) {
			storetest.RunWith(t, func(t *testing.T) artifacts.Store { return srv.open(t, cached) },
				storetest.Options{Corrupt: srv.corrupt})
		})
	}
}

func TestS3StoreConformanceFake(t *testing.T) { runS3Conformance(t, fakeS3(t)) }

func TestS3StoreConformanceReal(t *testing.T) { runS3Conformance(t, realS3(t)) }
