package artifacts

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// A lock of an S3Store is a lease: the object locks/<sha256(name)> holds
// its owner and expiry. Every change is a conditional PUT, so of two
// machines that read the same lease only one can change it:
//
//	absent            create with If-None-Match: *
//	expired/released  take over with If-Match: <etag read>
//	held by us        renew every TTL/3 with If-Match: <our etag>
//	unlock            write a released lease with If-Match: <our etag>
//
// A holder that dies stops renewing, and its lease expires after the TTL.
// Expiry is compared with the reader's clock, so hosts need clocks within
// a fraction of the TTL of each other (NTP is plenty).
type lease struct {
	Owner   string    `json:"owner"`
	Name    string    `json:"name"`
	Expires time.Time `json:"expires"` // zero: released
}

// leaseOwner identifies this process's leases: host, pid and a random tag.
func leaseOwner() string {
	host, _ := os.Hostname()
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Lease polling bounds while another process holds the lock.
const (
	leasePollMin = 5 * time.Millisecond
	leasePollMax = 500 * time.Millisecond
)

// Lock takes the lock called name: first within this process, then across
// machines by the lease protocol above.
func (s *S3Store) Lock(ctx context.Context, name string) (unlock func() error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := s.lockKey(name)
	release, err := s.procs.acquire(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	h := &leaseHolder{s: s, key: key, name: name, stop: make(chan struct{}), done: make(chan struct{})}
	if err := h.acquire(ctx); err != nil {
		release()
		return nil, fmt.Errorf("lock %q: %w", name, err)
	}
	go h.renew()
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() { uerr = h.unlock(); release() })
		return uerr
	}, nil
}

// leaseHolder is one holding of a lease.
type leaseHolder struct {
	s         *S3Store
	key, name string
	mu        sync.Mutex
	etag      string // of our current lease object
	lost      error  // set when a renewal found the lease taken
	stop      chan struct{}
	done      chan struct{}
}

// acquire loops until the lease is ours or ctx ends.
func (h *leaseHolder) acquire(ctx context.Context) error {
	wait := leasePollMin
	for {
		cur, etag, err := h.read(ctx)
		switch {
		case errors.Is(err, ErrNotFound):
			err = h.write(ctx, "", true)
		case err != nil:
			return err
		case cur.Owner == h.s.owner && cur.Expires.After(time.Now()) && h.etag == "":
			h.etag = etag // our own create whose response was lost and retried
			return nil
		case cur.Expires.Before(time.Now()):
			err = h.write(ctx, etag, false)
		default:
			err = errPrecondition // held: wait below
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, errPrecondition) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		wait = min(2*wait, leasePollMax)
	}
}

// read returns the current lease and its ETag.
func (h *leaseHolder) read(ctx context.Context) (*lease, string, error) {
	obj, err := h.s.client.GetObject(ctx, h.s.bucket, h.key, minio.GetObjectOptions{})
	if err != nil {
		return nil, "", s3Error(err, "lease "+h.key)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		return nil, "", s3Error(err, "lease "+h.key)
	}
	b, err := io.ReadAll(obj)
	if err != nil {
		return nil, "", s3Error(err, "lease "+h.key)
	}
	var l lease
	if err := json.Unmarshal(b, &l); err != nil {
		l = lease{} // unreadable: treat as released, so it can be taken over
	}
	return &l, strings.Trim(info.ETag, `"`), nil
}

// write puts a lease owned by us: created (If-None-Match: *) or replacing
// the lease with ETag match. It records the new ETag.
func (h *leaseHolder) write(ctx context.Context, match string, create bool) error {
	l := lease{Owner: h.s.owner, Name: h.name, Expires: time.Now().Add(h.s.ttl)}
	return h.put(ctx, l, match, create)
}

// put writes l conditionally and keeps its new ETag.
func (h *leaseHolder) put(ctx context.Context, l lease, match string, create bool) error {
	b, _ := json.Marshal(l)
	opts := minio.PutObjectOptions{ContentType: "application/json"}
	if create {
		opts.SetMatchETagExcept("*")
	} else {
		opts.SetMatchETag(match)
	}
	info, err := h.s.client.PutObject(ctx, h.s.bucket, h.key, bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		return s3Error(err, "lease "+h.key)
	}
	h.etag = strings.Trim(info.ETag, `"`)
	return nil
}

// renew extends the lease every third of the TTL until unlock.
func (h *leaseHolder) renew() {
	defer close(h.done)
	t := time.NewTicker(h.s.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), h.s.ttl/3)
		h.mu.Lock()
		err := h.write(ctx, h.etag, false)
		if errors.Is(err, errPrecondition) {
			h.lost = fmt.Errorf("lease %q lost: another holder took it over (were we paused for %v?)", h.name, h.s.ttl)
		}
		h.mu.Unlock()
		cancel()
		if h.lost != nil {
			return
		}
	}
}

// unlock stops renewing and releases the lease if it is still ours.
func (h *leaseHolder) unlock() error {
	close(h.stop)
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost != nil {
		return h.lost
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.s.ttl)
	defer cancel()
	err := h.put(ctx, lease{Owner: h.s.owner, Name: h.name}, h.etag, false)
	if errors.Is(err, errPrecondition) {
		return fmt.Errorf("unlock %q: lease was taken over", h.name)
	}
	return err
}
