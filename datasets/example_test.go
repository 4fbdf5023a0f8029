package datasets_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/diffusion-dfl/pipe/datasets"
)

// A stage draws the synthetic data with its seed, hands it on as an Arrow
// record, and a training stage reads it back and takes the Train rows.
func ExampleSynthetic() {
	d, err := datasets.Synthetic(datasets.SyntheticOptions{Context: 1.5}, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		panic(err)
	}
	rec, err := d.Record()
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	back, err := datasets.FromRecord(rec)
	if err != nil {
		panic(err)
	}
	train := back.Subset(datasets.Train)
	r, c := train.X.Dims()
	fmt.Println(back.Name, back.Count(datasets.Train), back.Count(datasets.Hold), back.Count(datasets.Test))
	fmt.Println(r, c, len(train.YNames))
	// Output:
	// synthetic 640 160 200
	// 640 20 10
}

// The hold-out permutation is numpy's: np.random.seed(0);
// np.random.permutation(2553)[:8].
func ExampleNumpyPermutation() {
	fmt.Println(datasets.NumpyPermutation(0, 2553)[:8])
	// Output: [558 390 666 1264 2295 385 2470 135]
}

func ExampleUSFederalHolidays() {
	from := time.Date(2010, 12, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2011, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, h := range datasets.USFederalHolidays(from, to) {
		fmt.Println(h.Format("2006-01-02 Mon"))
	}
	// Output:
	// 2010-12-24 Fri
	// 2010-12-31 Fri
	// 2011-01-17 Mon
}
