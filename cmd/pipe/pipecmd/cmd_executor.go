package pipecmd

import (
	"context"
	"fmt"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/diffusion-dfl/pipe/artifacts"
	"github.com/diffusion-dfl/pipe/pipeline"
	"github.com/diffusion-dfl/pipe/pipeline/local"
	"github.com/diffusion-dfl/pipe/pipeline/temporal"
)

// executorFlags are run's flags that choose where stages execute.
func executorFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "executor", Value: "local", EnvVars: []string{"PIPE_EXECUTOR"},
			Usage: "where stages run: local, or temporal (on pipe workers, through a Temporal service)"},
	}, temporalFlags()...)
}

// executor returns the executor of a run over store: local, or Temporal
// workers when run's --executor (or PIPE_EXECUTOR), else the file's
// top-level executor: setting, says temporal. Temporal workers must share
// the client's store: a directory they all mount at the same path, or the
// same s3://bucket/prefix. The service is dialed at the first stage, so
// commands that never execute do not need it.
func (p *Program) executor(c *cli.Context, f *pipeline.File, store artifacts.Store) (pipeline.Executor, error) {
	kind, from := f.Executor, "executor: of "+f.Path
	for _, ctx := range c.Lineage() {
		if ctx.IsSet("executor") {
			kind, from = ctx.String("executor"), "--executor"
			break
		}
	}
	switch kind {
	case "local", "":
		return local.New(store, local.Options{}), nil
	case "temporal":
		// Bad TLS flags fail here, before any planning or stage work.
		if _, err := temporalSecurityOf(c).tlsConfig(); err != nil {
			return nil, err
		}
		return &lazyExecutor{make: func() (pipeline.Executor, error) { return p.temporalExecutor(c, store) }}, nil
	}
	return nil, fmt.Errorf("%s %q: use local or temporal", from, kind)
}

// temporalExecutor connects to the service and builds the executor.
func (p *Program) temporalExecutor(c *cli.Context, store artifacts.Store) (pipeline.Executor, error) {
	build, err := p.build()
	if err != nil {
		return nil, err
	}
	tc, err := dialTemporal(c)
	if err != nil {
		return nil, err
	}
	// The client lives as long as the command; the process exit closes it.
	return temporal.New(temporal.Options{Client: tc, Store: store, Build: build, Scope: describeStore(store)}), nil
}

// lazyExecutor builds its executor at the first Execute.
type lazyExecutor struct {
	once sync.Once
	make func() (pipeline.Executor, error)
	x    pipeline.Executor
	err  error
}

func (l *lazyExecutor) Execute(ctx context.Context, t *pipeline.Task) (*pipeline.Result, error) {
	l.once.Do(func() { l.x, l.err = l.make() })
	if l.err != nil {
		return nil, l.err
	}
	return l.x.Execute(ctx, t)
}
