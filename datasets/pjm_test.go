package datasets

import (
	"math"
	"strings"
	"testing"
	"time"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestPJMTables checks the daily tables of power.md §1.2: sizes, first and
// last dates and the number of filled cells.
func TestPJMTables(t *testing.T) {
	dir := sharedData(t)
	loc, err := time.LoadLocation(pjmZone)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file        string
		days        int
		first, last string
		missing     int
	}{
		{PJMFile2008, 1460, "2008-01-01", "2011-12-30", 5},
		{PJMFile2012, 1734, "2011-12-31", "2016-09-28", 28},
	}
	for _, c := range cases {
		tab, err := readPJM(dir+"/pjm/"+c.file, loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.dates) != c.days || tab.missing != c.missing {
			t.Errorf("%s: %d days, %d missing cells; want %d, %d", c.file, len(tab.dates), tab.missing, c.days, c.missing)
		}
		first, last := tab.dates[0].Format(time.DateOnly), tab.dates[len(tab.dates)-1].Format(time.DateOnly)
		if first != c.first || last != c.last {
			t.Errorf("%s: %s..%s, want %s..%s", c.file, first, last, c.first, c.last)
		}
	}
}

// TestPJMLegacyCheckValues reproduces every check value of power.md §1.6
// with the reference's normalisation over all rows.
func TestPJMLegacyCheckValues(t *testing.T) {
	d, err := LoadPJM(sharedData(t), PJMOptions{Norm: NormLegacy})
	if err != nil {
		t.Fatal(err)
	}
	n, p := d.X.Dims()
	if n != 3192 || p != 149 || d.Count(Train) != 2042 || d.Count(Hold) != 511 || d.Count(Test) != 639 {
		t.Fatalf("%d×%d with %d/%d/%d rows", n, p, d.Count(Train), d.Count(Hold), d.Count(Test))
	}
	if d.RowID[0] != "2008-01-02" || d.RowID[2552] != "2014-12-29" || d.RowID[2553] != "2014-12-30" || d.RowID[3191] != "2016-09-28" {
		t.Errorf("row ids %s %s %s %s", d.RowID[0], d.RowID[2552], d.RowID[2553], d.RowID[3191])
	}
	checks := []struct {
		row, col int
		want     float64
	}{
		{0, 0, -0.389456}, {0, 1, 0.046963}, {0, 2, 0.000984},
		{0, 144, -0.63197}, {0, 145, -0.165401}, {0, 146, -1.389651}, {0, 147, 1.439645}, {0, 148, 0.022392},
	}
	for _, c := range checks {
		if got := d.X.At(c.row, c.col); !near(got, c.want, 1e-6) {
			t.Errorf("X[%d,%d] = %.7f, want %v", c.row, c.col, got, c.want)
		}
	}
	var sum, sumTest, sumSq float64
	for i := 0; i < n; i++ {
		for _, v := range d.Y.RawRowView(i) {
			sum += v
			sumSq += v * v
			if i >= 2553 {
				sumTest += v
			}
		}
	}
	if !near(sum, 127988.609282, 1e-6) || !near(sumTest, 25092.093, 1e-6) {
		t.Errorf("ΣY = %.6f, ΣY_test = %.6f", sum, sumTest)
	}
	for h, want := range []float64{1.575, 1.5, 1.473} {
		if got := d.Y.At(2553, h); got != want {
			t.Errorf("Y[2553,%d] = %v, want %v", h, got, want)
		}
	}
	cells := float64(n * 24)
	mean := sum / cells
	sd := math.Sqrt(sumSq/cells - mean*mean)
	if !near(mean, 1.6707, 5e-5) || !near(sd, 0.3023, 5e-5) {
		t.Errorf("Y mean %.5f sd %.5f, want 1.6707 0.3023", mean, sd)
	}
	for j := 24; j < 144; j++ {
		for i := 2554; i < n; i++ {
			if d.X.At(i, j) != d.X.At(2553, j) {
				t.Fatalf("test temperature column %s varies: row %d %v vs %v", d.XNames[j], i, d.X.At(i, j), d.X.At(2553, j))
			}
		}
	}
}

// powerCost is the daily cost f(y, z) of power.md §2:
// Σ_h 50(y_h−z_h)⁺ + 0.5(z_h−y_h)⁺ + 0.5(z_h−y_h)².
func powerCost(y, z []float64) float64 {
	var c float64
	for h := range y {
		d := z[h] - y[h]
		c += 50*math.Max(-d, 0) + 0.5*math.Max(d, 0) + 0.5*d*d
	}
	return c
}

// TestPJMPersistence checks the persistence forecast (ŷ = yesterday's load)
// of power.md §1.6: cost 68.11 and RMSE-sum 3.638 on test, and the oracle
// cost 0. With one sample the SAA decision is the forecast itself whenever it
// meets the ramp limits |z_{h+1} − z_h| ≤ 0.4, which the test asserts.
func TestPJMPersistence(t *testing.T) {
	d, err := LoadPJM(sharedData(t), PJMOptions{Norm: NormNone})
	if err != nil {
		t.Fatal(err)
	}
	var cost, oracle float64
	var sq [24]float64
	rows := d.Rows(Test)
	for _, i := range rows {
		y := d.Y.RawRowView(i)
		yhat := d.X.RawRowView(i)[:24]
		for h := 0; h < 23; h++ {
			if math.Abs(yhat[h+1]-yhat[h]) > 0.4 || math.Abs(y[h+1]-y[h]) > 0.4 {
				t.Fatalf("row %s breaks the ramp limit at hour %d", d.RowID[i], h)
			}
		}
		cost += powerCost(y, yhat)
		oracle += powerCost(y, y)
		for h := range sq {
			sq[h] += (yhat[h] - y[h]) * (yhat[h] - y[h])
		}
	}
	var rmse float64
	for h := range sq {
		rmse += math.Sqrt(sq[h] / float64(len(rows)))
	}
	cost /= float64(len(rows))
	t.Logf("persistence cost %.5f, RMSE-sum %.5f over %d test days", cost, rmse, len(rows))
	if !near(cost, 68.11, 0.005) || !near(rmse, 3.638, 0.0005) || oracle != 0 {
		t.Errorf("persistence cost %.4f, RMSE-sum %.4f, oracle %v; want 68.11, 3.638, 0", cost, rmse, oracle)
	}
}

func TestPJMWarnsAboutTemperature(t *testing.T) {
	d, err := LoadPJM(sharedData(t), PJMOptions{DropTemperature: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, p := d.X.Dims(); p != 29 || d.XNames[24] != "weekend" {
		t.Errorf("%d features after the drop, column 24 = %s", p, d.XNames[24])
	}
	var found bool
	for _, w := range d.Warnings {
		t.Log(w)
		if strings.HasPrefix(w, PJMFile2012+": temperature constant at 1.4 from 2014-01-24") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning about the constant temperature in %v", d.Warnings)
	}
}
