package datasets

// holdOutSplits marks the rows from int(trainFrac·n) on as Test and, inside
// the training block of nTrain rows, the rows
// NumpyPermutation(seed, nTrain)[int(nTrain·(1−holdFrac)):] as Hold, as the
// reference does with np.random.permutation (power.md §1.5, synthetic.md §1).
func holdOutSplits(n int, trainFrac, holdFrac float64, seed uint32) ([]Split, error) {
	nTrain := int(trainFrac * float64(n))
	nTrain2 := int(float64(nTrain) * (1 - holdFrac))
	if nTrain2 < 1 || nTrain2 >= nTrain || nTrain >= n {
		return nil, optionError("train_frac/hold_frac", "%d rows give %d train, %d hold and %d test rows", n, nTrain2, nTrain-nTrain2, n-nTrain)
	}
	s := make([]Split, n)
	for i := nTrain; i < n; i++ {
		s[i] = Test
	}
	for _, i := range NumpyPermutation(seed, nTrain)[nTrain2:] {
		s[i] = Hold
	}
	return s, nil
}

// chronoSplits cuts n rows in order into int(trainFrac·n) Train rows,
// int(holdFrac·n) Hold rows and the rest Test (portfolio.md §1.7).
func chronoSplits(n int, trainFrac, holdFrac float64) ([]Split, error) {
	nTrain := int(trainFrac * float64(n))
	nHold := int(holdFrac * float64(n))
	if nTrain < 1 || nHold < 1 || nTrain+nHold >= n {
		return nil, optionError("train_frac/hold_frac", "%d rows give %d train, %d hold and %d test rows", n, nTrain, nHold, n-nTrain-nHold)
	}
	s := make([]Split, n)
	for i := nTrain; i < n; i++ {
		s[i] = Hold
		if i >= nTrain+nHold {
			s[i] = Test
		}
	}
	return s, nil
}
