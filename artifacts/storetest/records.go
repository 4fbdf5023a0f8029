package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/diffusion-dfl/pipe/artifacts"
)

// fullRecord returns a record with every field set to a value that is easy
// to mangle: nanosecond times in a non-UTC zone, canonical params holding
// characters JSON encoders like to escape.
func fullRecord(i int) *artifacts.RunRecord {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	start := time.Date(2026, 3, 14, 15, 9, 26, 535897932, zone).Add(time.Duration(i) * time.Hour)
	dig := func(s string) artifacts.Digest { return artifacts.DigestOf([]byte(fmt.Sprint(s, i))) }
	return &artifacts.RunRecord{
		Key:         artifacts.Key(dig("key")),
		Stage:       fmt.Sprintf("train/seed-%d", i),
		Kind:        "shell",
		Fingerprint: string(dig("fingerprint")),
		Params:      json.RawMessage(`{"cmd":"a && b < c > d","lr":0.001,"nested":{"k":[1,2,3]},"unicode":"é"}`),
		Inputs:      map[string]artifacts.Digest{"train": dig("in1"), "valid": dig("in2")},
		Files:       map[string]artifacts.Digest{"data/power.csv": dig("file")},
		Outputs:     map[string]artifacts.Digest{"model": dig("out1"), "metrics": dig("out2")},
		Log:         dig("log"),
		Start:       start,
		End:         start.Add(1234567891 * time.Nanosecond),
		DurationSec: 1.234567891,
		PeakRSS:     123 << 20,
		Host:        "host-1",
		GoVersion:   "go1.26.8",
		Version:     "v0.1.0-test",
		Profile:     "default",
	}
}

// sameRecord compares records field by field, times by instant (a JSON
// round trip keeps the instant and offset but not the *time.Location).
func sameRecord(t *testing.T, got, want *artifacts.RunRecord) {
	t.Helper()
	if got == nil {
		t.Fatal("nil record")
	}
	if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
		t.Errorf("times: got %v..%v, want %v..%v", got.Start, got.End, want.Start, want.End)
	}
	g := *got
	g.Start, g.End = want.Start, want.End
	if string(g.Params) != string(want.Params) {
		t.Errorf("params: got %s, want %s (byte for byte)", g.Params, want.Params)
	}
	if !reflect.DeepEqual(&g, want) {
		t.Errorf("record round trip:\n got %+v\nwant %+v", &g, want)
	}
}

func testRecords(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	r := fullRecord(1)
	if err := s.PutRecord(ctx, r); err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	got, err := s.GetRecord(ctx, r.Key)
	if err != nil {
		t.Fatalf("GetRecord: %v", err)
	}
	sameRecord(t, got, r)

	got.Outputs["model"] = "changed" // the store must hand out copies
	again, err := s.GetRecord(ctx, r.Key)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, again, r)

	r2 := *fullRecord(1)
	r2.Stage, r2.Files, r2.PeakRSS, r2.Params = "replaced", nil, 0, nil
	if err := s.PutRecord(ctx, &r2); err != nil {
		t.Fatalf("PutRecord (replace): %v", err)
	}
	got, err = s.GetRecord(ctx, r.Key)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, &r2)

	if err := s.DeleteRecord(ctx, r.Key); err != nil {
		t.Fatalf("DeleteRecord: %v", err)
	}
	if _, err := s.GetRecord(ctx, r.Key); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("GetRecord after delete err = %v, want ErrNotFound", err)
	}
}

func testRecordsEnumerate(t *testing.T, s artifacts.Store) {
	ctx := context.Background()
	want := map[artifacts.Key]*artifacts.RunRecord{}
	for i := range 25 {
		r := fullRecord(i)
		want[r.Key] = r
		if err := s.PutRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[artifacts.Key]bool{}
	err := s.Records(ctx, func(r *artifacts.RunRecord) error {
		w, ok := want[r.Key]
		if !ok || seen[r.Key] {
			t.Errorf("Records visited unexpected or repeated key %s", r.Key)
			return nil
		}
		seen[r.Key] = true
		sameRecord(t, r, w)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(want) {
		t.Fatalf("Records visited %d records, want %d", len(seen), len(want))
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.Records(ctx, func(*artifacts.RunRecord) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Records with failing fn: err %v after %d calls", err, calls)
	}
}
