package artifacts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options configure an S3Store.
type S3Options struct {
	// Endpoint is the host:port of the S3 service (for example
	// "s3.eu-west-1.amazonaws.com" or "127.0.0.1:7070").
	Endpoint string
	// Bucket must exist; Prefix ("" or a path such as "team/pipe") puts the
	// whole layout below it, so several stores can share a bucket.
	Bucket, Prefix string
	// AccessKey and SecretKey authenticate the requests; when both are
	// empty they come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
	AccessKey, SecretKey string
	// Region is passed to the client ("" lets it find out).
	Region string
	// Insecure talks plain HTTP instead of HTTPS (loopback tests only).
	Insecure bool
	// CacheDir, if set, holds a DirStore that caches verified objects and
	// records read from the service, so a worker downloads each input once.
	CacheDir string
	// LeaseTTL is how long a lock lease lasts without renewal (default 30 s);
	// a holder renews it every third of that while it holds the lock.
	LeaseTTL time.Duration
}

// S3Store is a Store kept in an S3-compatible object service, shared by
// every machine that can reach the bucket. See doc.go ("S3") for the
// layout and the conditional writes that make it safe to share.
type S3Store struct {
	client    *minio.Client
	bucket    string
	prefix    string // "" or ending in "/"
	namespace string // WithNamespace prefix of every reference ("" for none)
	cache     *DirStore
	procs     *procLocks
	ttl       time.Duration
	owner     string // identifies this process's leases
}

var _ Store = (*S3Store)(nil)

// ParseS3URL splits "s3://bucket/prefix" into its bucket and prefix.
func ParseS3URL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("store %q: want s3://bucket/prefix", raw)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// OpenS3 connects to the bucket described by opts and checks that it exists.
func OpenS3(ctx context.Context, opts S3Options) (*S3Store, error) {
	if opts.AccessKey == "" && opts.SecretKey == "" {
		opts.AccessKey, opts.SecretKey = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	}
	base, err := minio.DefaultTransport(!opts.Insecure)
	if err != nil {
		return nil, fmt.Errorf("open s3://%s: %w", opts.Bucket, err)
	}
	client, err := minio.New(opts.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:    !opts.Insecure,
		Region:    opts.Region,
		Transport: emptyBodyTransport{base},
	})
	if err != nil {
		return nil, fmt.Errorf("open s3://%s at %s: %w", opts.Bucket, opts.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, opts.Bucket)
	if err != nil {
		return nil, fmt.Errorf("open s3://%s at %s: %w", opts.Bucket, opts.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("open s3://%s at %s: %w: bucket", opts.Bucket, opts.Endpoint, ErrNotFound)
	}
	s := &S3Store{client: client, bucket: opts.Bucket, procs: &procLocks{}, ttl: opts.LeaseTTL,
		owner: leaseOwner()}
	if p := strings.Trim(opts.Prefix, "/"); p != "" {
		s.prefix = p + "/"
	}
	if s.ttl <= 0 {
		s.ttl = 30 * time.Second
	}
	if opts.CacheDir != "" {
		if s.cache, err = OpenDir(opts.CacheDir); err != nil {
			return nil, fmt.Errorf("open s3 cache: %w", err)
		}
	}
	return s, nil
}

// WithNamespace returns a view whose references live under refs/<ns>/, as
// DirStore.WithNamespace does; objects, records and locks stay shared.
func (s *S3Store) WithNamespace(ns string) (*S3Store, error) {
	if ns == "" {
		return s, nil
	}
	if err := ValidateRefName(ns); err != nil {
		return nil, fmt.Errorf("store namespace: %w", err)
	}
	v := *s
	if s.namespace != "" {
		ns = s.namespace + "/" + ns
	}
	v.namespace = ns
	return &v, nil
}

// String names the store for messages: s3://bucket/prefix.
func (s *S3Store) String() string {
	return "s3://" + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

// objectKey is objects/<first two hex digits>/<digest> below the prefix.
func (s *S3Store) objectKey(d Digest) string {
	return s.prefix + "objects/" + string(d[:2]) + "/" + string(d)
}

func (s *S3Store) recordKey(k Key) string { return s.prefix + "records/" + string(k) + ".json" }

// refRoot is the key prefix of this view's references, ending in "/".
func (s *S3Store) refRoot() string {
	if s.namespace == "" {
		return s.prefix + "refs/"
	}
	return s.prefix + "refs/" + s.namespace + "/"
}

func (s *S3Store) lockKey(name string) string {
	return s.prefix + "locks/" + strings.TrimSuffix(lockFileName(name), ".lock")
}

// errPrecondition marks a conditional request whose condition did not hold
// (HTTP 412): the object exists (If-None-Match) or changed (If-Match).
var errPrecondition = errors.New("s3: precondition failed")

// s3Error maps a client error to the store's sentinels: a missing key is
// ErrNotFound, a failed condition errPrecondition; what names the request.
func s3Error(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	case resp.Code == minio.PreconditionFailed || resp.StatusCode == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %s", errPrecondition, what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// emptyBodyTransport sends an empty request body as http.NoBody: the
// client hands net/http a non-nil reader for zero-byte uploads, which
// net/http then sends chunked, without the Content-Length S3 requires.
type emptyBodyTransport struct{ base http.RoundTripper }

func (e emptyBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.ContentLength == 0 && r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = http.NoBody
	}
	return e.base.RoundTrip(r)
}
