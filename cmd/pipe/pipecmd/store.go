package pipecmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// commandStore is the store a command works on: a directory store, or an
// S3 store read through a local cache. Beyond artifacts.Store it offers
// what commands need of the store they print or tidy; the pipeline
// packages still find optional abilities (shared locks, other projects'
// references) by type assertion, which the wrappers below pass through.
type commandStore interface {
	artifacts.Store
	// String names the store for messages and Temporal workflow IDs: its
	// directory or its s3://bucket/prefix.
	String() string
	// ObjectFile returns a local file that holds object d's verified bytes,
	// for people and tools that read it in place (`pipe show --json`).
	ObjectFile(ctx context.Context, d artifacts.Digest) (string, error)
	// CleanTmp removes local temporary files older than olderThan that an
	// interrupted writer left behind, and reports how many.
	CleanTmp(olderThan time.Duration) (int, error)
	// WithNamespace returns a view whose references live under refs/<ns>/.
	WithNamespace(ns string) (commandStore, error)
}

// openStore opens the store that spec names: a directory, or
// s3://bucket/prefix on the service at PIPE_S3_ENDPOINT (an http:// or
// https:// URL) with credentials from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY. An S3 store caches the objects and records it
// reads in a directory below cacheRoot of its own (records are per store,
// so two stores never share one cache). `pipe worker` and every command
// with a workspace open their stores here.
func openStore(ctx context.Context, spec, cacheRoot string) (commandStore, error) {
	if !strings.HasPrefix(spec, "s3://") {
		s, err := artifacts.OpenDir(spec)
		if err != nil {
			return nil, err
		}
		return dirStore{s}, nil
	}
	bucket, prefix, err := artifacts.ParseS3URL(spec)
	if err != nil {
		return nil, err
	}
	ep := os.Getenv("PIPE_S3_ENDPOINT")
	u, err := url.Parse(ep)
	if ep == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("store %s: set PIPE_S3_ENDPOINT to the service's URL (https://host:port)", spec)
	}
	id := sha256.Sum256([]byte(u.Host + "\x00" + bucket + "\x00" + prefix))
	cacheDir := filepath.Join(cacheRoot, bucket+"-"+hex.EncodeToString(id[:8]))
	s, err := artifacts.OpenS3(ctx, artifacts.S3Options{Endpoint: u.Host, Insecure: u.Scheme == "http",
		Bucket: bucket, Prefix: prefix, CacheDir: cacheDir})
	if err != nil {
		return nil, err
	}
	// A second handle on the cache the S3 store fills, to hand out its files.
	cache, err := artifacts.OpenDir(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("store %s: cache: %w", spec, err)
	}
	return s3Store{S3Store: s, cache: cache}, nil
}

// dirStore is a directory store as a commandStore.
type dirStore struct{ *artifacts.DirStore }

func (s dirStore) String() string { return s.Dir() }

func (s dirStore) ObjectFile(_ context.Context, d artifacts.Digest) (string, error) {
	return s.ObjectPath(d), nil
}

func (s dirStore) WithNamespace(ns string) (commandStore, error) {
	v, err := s.DirStore.WithNamespace(ns)
	if err != nil {
		return nil, err
	}
	return dirStore{v}, nil
}

// s3Store is an S3 store as a commandStore: its local cache supplies the
// files and is what CleanTmp tidies (the service keeps no temporary files).
type s3Store struct {
	*artifacts.S3Store
	cache *artifacts.DirStore
}

// ObjectFile fetches object d into the cache, verified, and names the
// cache's file.
func (s s3Store) ObjectFile(ctx context.Context, d artifacts.Digest) (string, error) {
	if _, err := s.Get(ctx, d); err != nil {
		return "", err
	}
	return s.cache.ObjectPath(d), nil
}

func (s s3Store) CleanTmp(olderThan time.Duration) (int, error) { return s.cache.CleanTmp(olderThan) }

func (s s3Store) WithNamespace(ns string) (commandStore, error) {
	v, err := s.S3Store.WithNamespace(ns)
	if err != nil {
		return nil, err
	}
	return s3Store{S3Store: v, cache: s.cache}, nil
}

// describeStore names a store for messages and workflow IDs.
func describeStore(s artifacts.Store) string {
	if n, ok := s.(fmt.Stringer); ok {
		return n.String()
	}
	return fmt.Sprintf("%T", s)
}
