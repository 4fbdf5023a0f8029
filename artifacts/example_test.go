package artifacts_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// A stage run stores its output, records the run, points a reference at the
// record, and serializes with other processes through a lock.
func Example() {
	dir, err := os.MkdirTemp("", "store")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := artifacts.OpenDir(dir)
	if err != nil {
		log.Fatal(err)
	}

	unlock, err := s.Lock(ctx, "stage hello")
	if err != nil {
		log.Fatal(err)
	}
	defer unlock()

	d, err := s.Put(ctx, strings.NewReader("hello"))
	if err != nil {
		log.Fatal(err)
	}
	key := artifacts.Key(artifacts.DigestOf([]byte("stage hello, params {}")))
	rec := &artifacts.RunRecord{Key: key, Stage: "hello", Kind: "shell", Outputs: map[string]artifacts.Digest{"out": d}}
	if err := s.PutRecord(ctx, rec); err != nil {
		log.Fatal(err)
	}
	if err := s.SetRef(ctx, "stages/hello", []byte(key)); err != nil {
		log.Fatal(err)
	}

	// Later: follow the reference to the record, and the record to the bytes.
	k, _ := s.GetRef(ctx, "stages/hello")
	got, _ := s.GetRecord(ctx, artifacts.Key(k))
	b, _ := s.Get(ctx, got.Outputs["out"])
	fmt.Println(got.Outputs["out"].Short(), string(b))
	// Output: 2cf24dba5fb0 hello
}

// Reads verify: a damaged object is reported, never returned.
func ExampleMemStore_CorruptForTest() {
	ctx := context.Background()
	s := artifacts.NewMemStore()
	d, _ := s.Put(ctx, strings.NewReader("model weights"))
	s.CorruptForTest(d)
	_, err := s.Get(ctx, d)
	fmt.Println(errors.Is(err, artifacts.ErrCorrupt))
	ok, _ := s.Has(ctx, d) // Has does not re-hash
	fmt.Println(ok)
	// Output:
	// true
	// true
}
