package arrowtab_test

import (
	"fmt"

	"github.com/diffusion-dfl/pipe/arrowtab"
)

// A stage builds its output table, encodes it for the store, and a reader
// decodes it and reads a column back; Render shows it as CSV.
func Example() {
	rec, err := arrowtab.NewBuilder().
		String("method", []string{"mse", "dfl"}).
		Float64("regret", []float64{0.25, 0.125}).
		Record(map[string]string{arrowtab.MetaKind: "table.example"})
	if err != nil {
		panic(err)
	}
	b, err := arrowtab.Marshal(rec)
	rec.Release()
	if err != nil {
		panic(err)
	}

	back, err := arrowtab.Unmarshal(b)
	if err != nil {
		panic(err)
	}
	defer back.Release()
	kind, _ := arrowtab.Meta(back, arrowtab.MetaKind)
	regret, _ := arrowtab.Float64s(back, "regret")
	fmt.Println(kind, regret)

	csv, _ := arrowtab.Render(b, "csv")
	fmt.Print(string(csv))
	// Output:
	// table.example [0.25 0.125]
	// method,regret
	// mse,0.25
	// dfl,0.125
}
