package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/cmd/pipe/pipecmd"
	"github.com/diffusion-dfl/pipe/datasets"
)

// ensureData downloads the public data files among paths that the data
// directory lacks, so that `pipe run` on a fresh machine needs no separate
// set-up step (pipecmd.Program.EnsureData). Offline, it fails with one
// message that says how to provide the data.
func ensureData(ctx context.Context, dataDir string, paths []string, log io.Writer) error {
	missing := datasets.Missing(dataDir, paths)
	if len(missing) == 0 {
		return nil
	}
	fmt.Fprintf(log, "%d public data files are missing from %s; downloading them (as `pipe fetch-data` does)\n", len(missing), dataDir)
	f := &datasets.Fetcher{Sources: datasets.Mirrored(missing, os.Getenv(datasets.MirrorEnv)), Log: log}
	err := f.Fetch(ctx, dataDir)
	if errors.Is(err, datasets.ErrDownload) {
		return fmt.Errorf("the data is missing from %s and could not be downloaded: %v\n"+
			"fix: run `pipe fetch-data` on a machine with internet access, or set PIPE_DATA_DIR (or --data-dir) to a directory that has the data (%s)",
			dataDir, err, strings.Join(topDirs(missing), ", "))
	}
	return err
}

// fetchCommand is `pipe fetch-data`: it downloads every public data set
// into the data directory (--data-dir, PIPE_DATA_DIR, data/ beside the
// pipelines file, or the default data directory).
func fetchCommand() *cli.Command {
	return &cli.Command{
		Name:  "fetch-data",
		Usage: "download the public data sets into the data directory (checked by sha256; resumes)",
		Action: func(c *cli.Context) error {
			f := &datasets.Fetcher{Sources: datasets.Mirrored(datasets.Sources(), os.Getenv(datasets.MirrorEnv)), Log: c.App.ErrWriter}
			return f.Fetch(c.Context, fetchDir(c))
		},
	}
}

// fetchDir is the data directory fetch-data writes to.
func fetchDir(c *cli.Context) string {
	if dir := pipecmd.FlagString(c, "data-dir"); dir != "" {
		return dir
	}
	if dir := os.Getenv("PIPE_DATA_DIR"); dir != "" {
		return dir
	}
	if path, err := pipecmd.FindFile(pipecmd.FlagString(c, "file")); err == nil {
		return filepath.Join(filepath.Dir(path), "data")
	}
	return datasets.DefaultDataDir()
}

// topDirs lists the first path elements of the sources (pjm/, sp500/).
func topDirs(srcs []datasets.Source) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range srcs {
		d, _, _ := strings.Cut(s.Path, "/")
		if !seen[d] {
			seen[d] = true
			out = append(out, d+"/")
		}
	}
	return out
}
