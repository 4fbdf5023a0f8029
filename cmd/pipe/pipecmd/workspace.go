package pipecmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
)

// workspace is everything a command works on: the loaded file, the store
// and an engine over them.
type workspace struct {
	file    *pipeline.File
	store   commandStore
	engine  *pipeline.Engine
	dataDir string
}

// openWorkspace finds and loads the pipelines file and opens the store.
func openWorkspace(c *cli.Context) (*workspace, error) {
	return openWorkspaceAt(c, FlagString(c, "file"), FlagString(c, "profile"), FlagString(c, "store"))
}

// openWorkspaceAt is openWorkspace with the file, profile and store given
// rather than read from the flags (a side of `pipe metrics diff`); an empty
// file or store is found as openWorkspace finds it, and the data directory
// comes from --data-dir or PIPE_DATA_DIR all the same.
func openWorkspaceAt(c *cli.Context, file, profile, storeFlag string) (*workspace, error) {
	path, err := FindFile(file)
	if err != nil {
		return nil, err
	}
	p := programOf(c)
	reg, err := p.registry()
	if err != nil {
		return nil, err
	}
	f, err := pipeline.Load(path, pipeline.LoadOptions{Registry: reg, Profile: profile})
	if err != nil {
		return nil, err
	}
	store, err := openProjectStore(c, f, storeFlag)
	if err != nil {
		return nil, err
	}
	dataDir := firstNonEmpty(FlagString(c, "data-dir"), os.Getenv("PIPE_DATA_DIR"), filepath.Join(f.Dir, "data"))
	fp, err := fingerprint.New(fingerprint.Config{Sources: p.Sources, Reach: p.Reach})
	if err != nil {
		return nil, err
	}
	fps := pipeline.CacheFingerprints(fp, store, fp.SourceDigest)
	exec, err := p.executor(c, f, store) // cmd_executor.go: local, or Temporal workers
	if err != nil {
		return nil, err
	}
	eng := pipeline.NewEngine(pipeline.Config{File: f, Store: store, Fingerprints: fps, DataDir: dataDir,
		Version: p.version(), Backend: p.describeBackend(), Executor: exec})
	return &workspace{file: f, store: store, engine: eng, dataDir: dataDir}, nil
}

// openProjectStore opens the store of the pipelines file f: --store (or
// storeFlag), else PIPE_STORE, else .pipe/ beside the file; a directory or
// s3://bucket/prefix (see openStore), whose cache is PIPE_S3_CACHE, else
// .pipe/s3-cache/ beside the file. References are per project, so projects
// can share a store.
func openProjectStore(c *cli.Context, f *pipeline.File, storeFlag string) (commandStore, error) {
	spec := firstNonEmpty(storeFlag, os.Getenv("PIPE_STORE"), filepath.Join(f.Dir, ".pipe"))
	cacheRoot := firstNonEmpty(os.Getenv("PIPE_S3_CACHE"), filepath.Join(f.Dir, ".pipe", "s3-cache"))
	whole, err := openStore(c.Context, spec, cacheRoot)
	if err != nil {
		return nil, err
	}
	return whole.WithNamespace(pipeline.ProjectNamespace(f.Path))
}

// FindFile resolves --file (flag), or looks for pipelines.yaml in the current
// directory and its parents, as git looks for .git.
func FindFile(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "pipelines.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no pipelines.yaml in this directory or any parent (give one with --file)")
		}
		dir = parent
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// splitTarget splits "stage" or "stage.output" for show and lineage: a
// whole argument that names a stage wins, since stage names may hold dots.
func splitTarget(f *pipeline.File, arg string) (string, string, error) {
	if _, ok := f.Stages[arg]; ok {
		return arg, "", nil
	}
	if r, ok := pipeline.ParseRef(arg); ok {
		if _, ok := f.Stages[r.Stage]; ok {
			return r.Stage, r.Output, nil
		}
	}
	return "", "", fmt.Errorf("%w: %q is not a stage or stage.output of %s", pipeline.ErrUnknownTarget, arg, f.Path)
}

// latestRecord returns the record of a stage's latest successful run.
func latestRecord(ctx context.Context, s artifacts.Store, stage string) (*artifacts.RunRecord, error) {
	key, err := s.GetRef(ctx, "stages/"+stage)
	if errors.Is(err, artifacts.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s (run `pipe run %s` first)", pipeline.ErrNotRun, stage, stage)
	} else if err != nil {
		return nil, err
	}
	return s.GetRecord(ctx, artifacts.Key(key))
}
