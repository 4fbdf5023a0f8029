package stages

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
)

// bootstrap is the hierarchical percentile bootstrap of the aggregate
// kind's confidence intervals. The statistic is the table's mean over seeds
// of each seed's mean over its test units; one replicate draws the seeds
// with replacement, then, within each drawn seed, its units with
// replacement, and recomputes the statistic. The interval is the
// replicates' (1 − level)/2 and (1 + level)/2 quantiles. Resampling seeds
// carries the training variance (one seed = one trained model), resampling
// units the variance of the finite test set; with one seed only the latter
// is left. Each interval draws from its own stream, seeded by the
// bootstrap seed and a hash of what it describes, so it does not change
// when other rows are added or removed.
type bootstrap struct {
	replicates int
	seed       uint64
	level      float64
}

// interval returns the bootstrap interval of the mean over seeds of the
// per-seed means of units[s] (one slice per seed; NaN units are not
// expected). It returns NaN bounds when there is nothing to resample.
func (b bootstrap) interval(units [][]float64, key string) (lo, hi float64) {
	if len(units) == 0 || b.replicates < 2 {
		return math.NaN(), math.NaN()
	}
	for _, u := range units {
		if len(u) == 0 {
			return math.NaN(), math.NaN()
		}
	}
	rng := rand.New(rand.NewPCG(b.seed, streamKey(key)))
	reps := make([]float64, b.replicates)
	for r := range reps {
		var total float64
		for range units {
			u := units[rng.IntN(len(units))]
			var s float64
			for range u {
				s += u[rng.IntN(len(u))]
			}
			total += s / float64(len(u))
		}
		reps[r] = total / float64(len(units))
	}
	sort.Float64s(reps)
	a := (1 - b.level) / 2
	return quantileSorted(reps, a), quantileSorted(reps, 1-a)
}

// streamKey hashes a row's description into a random stream.
func streamKey(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// quantileSorted is the q-quantile of sorted x with linear interpolation
// between order statistics (Hyndman–Fan type 7, numpy's default).
func quantileSorted(x []float64, q float64) float64 {
	pos := q * float64(len(x)-1)
	i := int(math.Floor(pos))
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	f := pos - float64(i)
	return x[i] + f*(x[i+1]-x[i])
}

// seedMCError is the Monte-Carlo error of a mean over seeds of per-seed
// means with independent Monte-Carlo errors se_s: sqrt(Σ se_s²)/n. NaN
// errors (a single stochastic draw) make it NaN.
func seedMCError(se []float64) float64 {
	if len(se) == 0 {
		return math.NaN()
	}
	var ss float64
	for _, v := range se {
		ss += v * v
	}
	return math.Sqrt(ss) / float64(len(se))
}
