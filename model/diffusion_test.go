package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/diffusion-dfl/pipe/model/nn"
)

func TestLossGradient(t *testing.T) {
	net := newFakeNet(3, 2, 4, newRNG(1))
	d := NewDiffusion(net, smallSchedule(t, 50))
	y0, x := randMatrix(5, 3, newRNG(2)), randMatrix(5, 2, newRNG(3))
	l := d.Loss(y0, x, 1, newRNG(4))
	fdCheck(t, net.Params(), gradsOf(net.Params()), func() float64 { return d.Loss(y0, x, 0, newRNG(4)) }, 1e-3, 1e-3, 1)
	// Value by hand with the same draws: all t first, then ε.
	rng := newRNG(4)
	ts := make([]int, 5)
	for i := range ts {
		ts[i] = rng.IntN(50)
	}
	eps := randMatrix(5, 3, rng)
	pred := net.Forward(d.Sched.Noise(y0, ts, eps), ts, x, nil)
	var want float64
	for i := range pred.Data {
		r := float64(pred.Data[i] - eps.Data[i])
		want += r * r / 15
	}
	if math.Abs(l-want) > 1e-6*want {
		t.Errorf("loss %g, want %g", l, want)
	}
}

// recordingNet remembers the (y_t, x) rows of every Forward.
type recordingNet struct {
	*fakeNet
	yt, x []*nn.Matrix
}

func (r *recordingNet) Forward(yt *nn.Matrix, t []int, x *nn.Matrix, tape *nn.Tape) *nn.Matrix {
	r.yt, r.x = append(r.yt, yt.Clone()), append(r.x, x.Clone())
	return r.fakeNet.Forward(yt, t, x, tape)
}

// With a vanishing schedule y_t ≈ y₀, so the recorded rows show whether the
// (x, y) pairs were kept (default) or y was permuted within each batch.
func TestPretrainEpochBatchesAndShuffleY(t *testing.T) {
	sched, _ := LinearSchedule(10, 1e-12, 1e-12)
	const n, batch = 10, 4
	y, x := nn.NewMatrix(n, 3), nn.NewMatrix(n, 2)
	for i := 0; i < n; i++ {
		x.Set(i, 0, float32(i))
		y.Set(i, 0, float32(i))
	}
	for _, shuffle := range []bool{false, true} {
		net := &recordingNet{fakeNet: newFakeNet(3, 2, 4, newRNG(1))}
		d := NewDiffusion(net, sched)
		steps := 0
		loss, err := d.PretrainEpoch(context.Background(), y, x, PretrainConfig{BatchSize: batch, ShuffleY: shuffle}, newRNG(5), func() error { steps++; return nil })
		if err != nil || !(loss > 0) {
			t.Fatalf("shuffle %v: loss %g, error %v", shuffle, loss, err)
		}
		if steps != 3 || len(net.x) != 3 {
			t.Fatalf("shuffle %v: %d steps and %d forwards for 10 rows in batches of 4, want 3", shuffle, steps, len(net.x))
		}
		seen, broken := map[int]bool{}, 0
		for b := range net.x {
			xs, ys := map[int]bool{}, map[int]bool{}
			for i := 0; i < net.x[b].Rows; i++ {
				xi, yi := int(net.x[b].At(i, 0)), int(math.Round(float64(net.yt[b].At(i, 0))))
				seen[xi], xs[xi], ys[yi] = true, true, true
				if xi != yi {
					broken++
				}
			}
			for k := range xs {
				if !ys[k] {
					t.Errorf("shuffle %v: batch %d mixes y rows from other batches", shuffle, b)
				}
			}
		}
		if len(seen) != n {
			t.Errorf("shuffle %v: epoch visited %d distinct rows, want %d", shuffle, len(seen), n)
		}
		if shuffle != (broken > 0) {
			t.Errorf("shuffle %v: %d of %d (x, y) pairs broken", shuffle, broken, n)
		}
	}
	d := NewDiffusion(newFakeNet(3, 2, 4, newRNG(1)), sched)
	if _, err := d.PretrainEpoch(context.Background(), y, x, PretrainConfig{}, newRNG(1), func() error { return nil }); !errors.Is(err, ErrConfig) {
		t.Errorf("batch size 0: error %v, want ErrConfig", err)
	}
	stop := errors.New("stop")
	if _, err := d.PretrainEpoch(context.Background(), y, x, PretrainConfig{BatchSize: 4}, newRNG(1), func() error { return stop }); !errors.Is(err, stop) {
		t.Errorf("step error %v not returned", err)
	}
}
