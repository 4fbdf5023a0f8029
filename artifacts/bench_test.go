package artifacts_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/diffusion-dfl/pipe/artifacts"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}, {"64MiB", 64 << 20}}

func benchBytes(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b
}

// BenchmarkDirStorePut stores new content each iteration (the counter is
// written into the first bytes), including the fsyncs that make it durable.
func BenchmarkDirStorePut(b *testing.B) {
	ctx := context.Background()
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			s := openDir(b)
			data := benchBytes(sz.n)
			b.SetBytes(int64(sz.n))
			for i := 0; b.Loop(); i++ {
				binary.LittleEndian.PutUint64(data, uint64(i))
				d, err := s.Put(ctx, bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				if sz.n > 1<<20 { // keep the disk footprint of big runs small
					b.StopTimer()
					s.Delete(ctx, d)
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkDirStorePutExisting stores content already present: it is
// hashed and the stored copy verified, but nothing is written.
func BenchmarkDirStorePutExisting(b *testing.B) {
	ctx := context.Background()
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			s := openDir(b)
			data := benchBytes(sz.n)
			if _, err := s.Put(ctx, bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(sz.n))
			for b.Loop() {
				if _, err := s.Put(ctx, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDirStoreGet reads and verifies one object.
func BenchmarkDirStoreGet(b *testing.B) {
	ctx := context.Background()
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			s := openDir(b)
			d, err := s.Put(ctx, bytes.NewReader(benchBytes(sz.n)))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(sz.n))
			for b.Loop() {
				if _, err := s.Get(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDirStoreHas(b *testing.B) {
	ctx := context.Background()
	s := openDir(b)
	d, _ := s.Put(ctx, bytes.NewReader(benchBytes(1<<10)))
	for b.Loop() {
		if ok, err := s.Has(ctx, d); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// benchRecord is a record of realistic size: a few inputs and outputs.
func benchRecord(i int) *artifacts.RunRecord {
	dig := func(s string) artifacts.Digest { return artifacts.DigestOf([]byte(fmt.Sprint(s, i))) }
	return &artifacts.RunRecord{
		Key: artifacts.Key(dig("key")), Stage: fmt.Sprintf("stage-%d", i), Kind: "shell",
		Fingerprint: string(dig("fp")), Params: []byte(`{"epochs":10,"lr":0.001}`),
		Inputs:  map[string]artifacts.Digest{"a": dig("a"), "b": dig("b")},
		Outputs: map[string]artifacts.Digest{"out": dig("out"), "metrics": dig("m")},
		Log:     dig("log"), Host: "host", GoVersion: "go1.26.8", Version: "dev",
	}
}

func BenchmarkDirStorePutRecord(b *testing.B) {
	ctx := context.Background()
	s := openDir(b)
	r := benchRecord(0)
	for b.Loop() {
		if err := s.PutRecord(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDirStoreGetRecord(b *testing.B) {
	ctx := context.Background()
	s := openDir(b)
	r := benchRecord(0)
	if err := s.PutRecord(ctx, r); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.GetRecord(ctx, r.Key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirStoreCachedRun200 is the store's share of a fully cached run
// of 200 stages: read each stage's record and check its outputs exist.
func BenchmarkDirStoreCachedRun200(b *testing.B) {
	ctx := context.Background()
	s := openDir(b)
	var keys []artifacts.Key
	for i := range 200 {
		r := benchRecord(i)
		for name := range r.Outputs {
			d, err := s.Put(ctx, bytes.NewReader([]byte(fmt.Sprint(name, i))))
			if err != nil {
				b.Fatal(err)
			}
			r.Outputs[name] = d
		}
		if err := s.PutRecord(ctx, r); err != nil {
			b.Fatal(err)
		}
		keys = append(keys, r.Key)
	}
	for b.Loop() {
		for _, k := range keys {
			r, err := s.GetRecord(ctx, k)
			if err != nil {
				b.Fatal(err)
			}
			for _, d := range r.Outputs {
				if ok, err := s.Has(ctx, d); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		}
	}
}

func BenchmarkDirStoreLock(b *testing.B) {
	ctx := context.Background()
	s := openDir(b)
	for b.Loop() {
		unlock, err := s.Lock(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := unlock(); err != nil {
			b.Fatal(err)
		}
	}
}
