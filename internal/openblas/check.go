package openblas

import "gonum.org/v1/gonum/blas"

// Panic messages of gonum.org/v1/gonum/blas/gonum (errors.go), repeated
// verbatim so that bad arguments panic exactly as with gonum's own
// implementation. TestPanicsMatchGonum keeps them in sync.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// checkGemm validates the arguments of ?gemm in the order gonum's Sgemm and
// Dgemm do, panicking with the same messages, and reports whether the call
// has nothing to do (m == 0 or n == 0), in which case gonum returns before
// the slice length checks.
func checkGemm(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) (empty bool) {
	checkTranspose(tA)
	checkTranspose(tB)
	if m < 0 {
		panic(mLT0)
	}
	if n < 0 {
		panic(nLT0)
	}
	if k < 0 {
		panic(kLT0)
	}
	aRows, aCols := m, k // op(A) is m×k; A itself is stored aRows×aCols
	if tA != blas.NoTrans {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB != blas.NoTrans {
		bRows, bCols = n, k
	}
	if lda < max(1, aCols) {
		panic(badLdA)
	}
	if ldb < max(1, bCols) {
		panic(badLdB)
	}
	if ldc < max(1, n) {
		panic(badLdC)
	}
	if m == 0 || n == 0 {
		return true
	}
	// For k == 0 these are gonum's checks too: len(a) < (m-1)*lda, etc.
	if lenA < (aRows-1)*lda+aCols {
		panic(shortA)
	}
	if lenB < (bRows-1)*ldb+bCols {
		panic(shortB)
	}
	if lenC < (m-1)*ldc+n {
		panic(shortC)
	}
	return false
}

func checkTranspose(t blas.Transpose) {
	switch t {
	case blas.NoTrans, blas.Trans, blas.ConjTrans:
	default:
		panic(badTranspose)
	}
}
