package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/datasets"
)

// ensureData downloads the public data files the stages of closure read
// and the data directory lacks, so that `pipe run` on a fresh machine needs
// no separate set-up step. Offline, it fails with one message that says
// how to provide the data.
func ensureData(c *cli.Context, ws *workspace, closure []string) error {
	var paths []string
	for _, n := range closure {
		s := ws.file.Stages[n]
		if s.Impl == nil || s.Impl.Files == nil {
			continue
		}
		deps, err := s.Impl.Files(s.Params)
		if err != nil {
			return fmt.Errorf("stage %s: data files: %w", n, err)
		}
		for _, d := range deps {
			if !filepath.IsAbs(d.Path) {
				paths = append(paths, d.Path)
			}
		}
	}
	missing := datasets.Missing(ws.dataDir, paths)
	if len(missing) == 0 {
		return nil
	}
	fmt.Fprintf(c.App.ErrWriter, "%d public data files are missing from %s; downloading them (as `pipe fetch-data` does)\n", len(missing), ws.dataDir)
	f := &datasets.Fetcher{Sources: datasets.Mirrored(missing, os.Getenv(datasets.MirrorEnv)), Log: c.App.ErrWriter}
	err := f.Fetch(c.Context, ws.dataDir)
	if errors.Is(err, datasets.ErrDownload) {
		return fmt.Errorf("the data is missing from %s and could not be downloaded: %v\n"+
			"fix: run `pipe fetch-data` on a machine with internet access, or set PIPE_DATA_DIR (or --data-dir) to a directory that has the data (%s)",
			ws.dataDir, err, strings.Join(topDirs(missing), ", "))
	}
	return err
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
