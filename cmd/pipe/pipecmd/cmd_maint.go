package pipecmd

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name:      "logs",
		Usage:     "print the log of a stage's latest run (a failed run's log if it failed since)",
		ArgsUsage: "STAGE",
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			if c.NArg() != 1 {
				return fmt.Errorf("logs takes one STAGE")
			}
			stage := c.Args().First()
			if _, ok := ws.file.Stages[stage]; !ok {
				return fmt.Errorf("%w: %q", pipeline.ErrUnknownTarget, stage)
			}
			d, header, err := logOf(c, ws, stage)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.App.ErrWriter, header)
			if d == "" {
				return nil
			}
			b, err := ws.store.Get(c.Context, d)
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(b)
			return err
		},
	}
}

func gcCommand() *cli.Command {
	return &cli.Command{
		Name:  "gc",
		Usage: "remove records and objects not used by the latest run of any pipeline or stage of the file",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "only report what would be removed"}},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			// A collection is safe only while no run writes: runs hold the
			// store lock shared, which only a directory store offers (an S3
			// store's runs on other machines hold nothing gc could wait for).
			sl, ok := ws.store.(artifacts.SharedLocker)
			if !ok {
				return fmt.Errorf("gc does not support the store %s: runs on other machines hold no lock it could wait for, so it could delete their unreferenced outputs", ws.store)
			}
			unlock, err := lockForGC(c, ws.store, sl)
			if err != nil {
				return err
			}
			defer unlock()
			rep, err := pipeline.GC(c.Context, ws.store, ws.file, c.Bool("dry-run"))
			if err != nil {
				return err
			}
			verb := "removed"
			if c.Bool("dry-run") {
				verb = "would remove"
			}
			fmt.Fprintf(c.App.Writer, "%s %d records, %d objects (%s), %d references; kept %d records, %d objects\n",
				verb, rep.RemovedRecords, rep.RemovedObjects, bytesText(rep.RemovedBytes), len(rep.RemovedRefs), rep.KeptRecords, rep.KeptObjects)
			if c.Bool("dry-run") {
				return nil
			}
			// Temporary files an interrupted writer left behind; an hour is
			// far longer than any single write takes.
			n, err := ws.store.CleanTmp(time.Hour)
			if n > 0 {
				fmt.Fprintf(c.App.Writer, "removed %d stale temporary files\n", n)
			}
			return err
		},
	}
}

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "re-hash every object, read every record and check every reference; quarantine or repair what is damaged (exit 1 if any)",
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			// Verify takes the store lock itself: shared to check, as a
			// run, and exclusively to repair references.
			rep, err := pipeline.Verify(c.Context, ws.store, pipeline.VerifyOptions{Waiting: func() {
				fmt.Fprintln(c.App.ErrWriter, "verify: a `pipe run` is using this store; waiting for it to finish before repairing references (Ctrl-C to give up)")
			}})
			if err != nil {
				return err
			}
			return verifyReport(c.App.Writer, rep)
		},
	}
}

// lockForGC takes the store lock exclusively: at once if no run holds it,
// else after saying why gc waits (runs hold it shared until they end).
func lockForGC(c *cli.Context, s artifacts.Locker, sl artifacts.SharedLocker) (func() error, error) {
	unlock, ok, err := sl.TryLock(artifacts.StoreLock)
	if err != nil || ok {
		return unlock, err
	}
	fmt.Fprintln(c.App.ErrWriter, "gc: a `pipe run` is using this store; waiting for it to finish (Ctrl-C to give up)")
	return s.Lock(c.Context, artifacts.StoreLock)
}

// verifyReport prints what Verify found; anything wrong exits 1.
func verifyReport(w io.Writer, rep *pipeline.VerifyReport) error {
	fmt.Fprintf(w, "checked %d objects (%s), %d records, %d references\n", rep.Checked, bytesText(rep.Bytes), rep.CheckedRecords, rep.CheckedRefs)
	if rep.OK() {
		fmt.Fprintln(w, "all objects match their digests; all records parse; all references resolve")
		return nil
	}
	sort.Slice(rep.Bad, func(i, j int) bool { return rep.Bad[i] < rep.Bad[j] })
	for _, d := range rep.Bad {
		fmt.Fprintf(w, "CORRUPT %s (quarantined)\n", d)
	}
	for _, k := range rep.BadRecords {
		fmt.Fprintf(w, "CORRUPT record %s (quarantined)\n", k)
	}
	for _, r := range rep.BadRefs {
		fmt.Fprintf(w, "BAD reference %s (repaired)\n", r)
	}
	return exitCode{code: 1, msg: fmt.Sprintf("%d corrupt objects quarantined, %d corrupt records quarantined, %d references repaired; `pipe run` reruns the stages whose results were lost",
		len(rep.Bad), len(rep.BadRecords), len(rep.BadRefs))}
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
