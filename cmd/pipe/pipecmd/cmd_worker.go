package pipecmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/diffusion-dfl/pipe/pipeline/fingerprint"
	"github.com/diffusion-dfl/pipe/pipeline/local"
	"github.com/diffusion-dfl/pipe/pipeline/temporal"
)

// temporalFlags name the Temporal service, for `pipe worker` and for
// `pipe run --executor temporal`.
func temporalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "temporal", Value: "127.0.0.1:7233", EnvVars: []string{"TEMPORAL_ADDRESS"},
			Usage: "host:port of the Temporal frontend"},
		&cli.StringFlag{Name: "temporal-namespace", Value: "default", EnvVars: []string{"TEMPORAL_NAMESPACE"},
			Usage: "Temporal namespace of the stage workflows"},
		&cli.BoolFlag{Name: "temporal-tls", EnvVars: []string{"TEMPORAL_TLS"},
			Usage: "dial Temporal over TLS, trusting the system roots (the other --temporal-tls-* flags and --temporal-api-key imply it)"},
		&cli.StringFlag{Name: "temporal-tls-ca", EnvVars: []string{"TEMPORAL_TLS_CA_PATH"}, TakesFile: true,
			Usage: "PEM `FILE` of the CA certificates that sign the Temporal server's certificate (default: the system roots)"},
		&cli.StringFlag{Name: "temporal-tls-cert", EnvVars: []string{"TEMPORAL_TLS_CERT_PATH"}, TakesFile: true,
			Usage: "PEM `FILE` of the client certificate for mutual TLS (with --temporal-tls-key)"},
		&cli.StringFlag{Name: "temporal-tls-key", EnvVars: []string{"TEMPORAL_TLS_KEY_PATH"}, TakesFile: true,
			Usage: "PEM `FILE` of the client certificate's private key"},
		&cli.StringFlag{Name: "temporal-tls-server-name", EnvVars: []string{"TEMPORAL_TLS_SERVER_NAME"},
			Usage: "`NAME` the Temporal server's certificate must carry (default: the host of --temporal)"},
		&cli.StringFlag{Name: "temporal-api-key", EnvVars: []string{"TEMPORAL_API_KEY"},
			Usage: "API `KEY` sent to Temporal as a bearer token (prefer the environment variable: a flag shows in ps)"},
	}
}

func workerCommand() *cli.Command {
	return &cli.Command{
		Name:  "worker",
		Usage: "run stages that `pipe run --executor temporal` submits, until interrupted",
		Description: "A worker polls the task queue of its resource class and of its build (the digest of\n" +
			"this program's sources), so it only ever runs stages planned by the same code. It stores\n" +
			"outputs in the shared store (--store: a directory every machine mounts, or\n" +
			"s3://bucket/prefix with PIPE_S3_ENDPOINT and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)\n" +
			"and keeps the data files and inputs it downloads in --cache.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "class", Usage: "resource class to serve (the stages whose resources: class: names it; default: stages without one)"},
			&cli.IntFlag{Name: "slots", Value: 1, Usage: "stages to run at once"},
			&cli.StringFlag{Name: "cache", Usage: "cache directory (default: the user cache dir, pipe-worker/)"},
		}, temporalFlags()...),
		Action: workerAction,
	}
}

func workerAction(c *cli.Context) error {
	p := programOf(c)
	cache := c.String("cache")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("worker cache: %w (give --cache)", err)
		}
		cache = filepath.Join(dir, "pipe-worker")
	}
	// Bad TLS flags fail before the store or the cache is touched.
	if _, err := temporalSecurityOf(c).tlsConfig(); err != nil {
		return err
	}
	spec := firstNonEmpty(FlagString(c, "store"), os.Getenv("PIPE_STORE"))
	if spec == "" {
		return fmt.Errorf("worker: give the shared store with --store (a directory or s3://bucket/prefix)")
	}
	store, err := openStore(c.Context, spec, filepath.Join(cache, "store"))
	if err != nil {
		return err
	}
	reg, err := p.registry()
	if err != nil {
		return err
	}
	if p.Backend != nil {
		if err := p.Backend.Use(c.App.ErrWriter, true); err != nil {
			return err
		}
	}
	build, err := p.build()
	if err != nil {
		return err
	}
	tc, err := dialTemporal(c)
	if err != nil {
		return err
	}
	defer tc.Close()
	acts := &temporal.Activities{Store: store, Registry: reg, Build: build, CacheDir: cache,
		Executor: local.New(store, local.Options{TempDir: filepath.Join(cache, "tmp")})}
	if err := os.MkdirAll(filepath.Join(cache, "tmp"), 0o755); err != nil {
		return err
	}
	w := temporal.NewWorker(tc, temporal.WorkerOptions{Class: c.String("class"), Slots: c.Int("slots"), Activities: acts})
	fmt.Fprintf(c.App.ErrWriter, "%s worker: queue %s, %d slot(s), store %s\n", p.name(),
		temporal.TaskQueue(c.String("class"), build), max(c.Int("slots"), 1), store)
	return w.Run(worker.InterruptCh())
}

// build is the digest of the program's sources: workers and clients of
// equal builds compute equal results.
func (p *Program) build() (string, error) {
	fp, err := fingerprint.New(fingerprint.Config{Sources: p.Sources, Reach: p.Reach})
	if err != nil {
		return "", err
	}
	return fp.SourceDigest()
}

// dialTemporal connects to the service named by --temporal, with the
// security the --temporal-tls* and --temporal-api-key flags give.
func dialTemporal(c *cli.Context) (client.Client, error) {
	return dialTemporalAt(c.Context, c.String("temporal"), c.String("temporal-namespace"), temporalSecurityOf(c))
}

// temporalSecurityOf reads the flags (or their environment variables).
func temporalSecurityOf(c *cli.Context) temporalSecurity {
	return temporalSecurity{
		TLS: c.Bool("temporal-tls"), CA: c.String("temporal-tls-ca"),
		Cert: c.String("temporal-tls-cert"), Key: c.String("temporal-tls-key"),
		ServerName: c.String("temporal-tls-server-name"), APIKey: c.String("temporal-api-key"),
	}
}

// dialTemporalAt connects to the frontend at addr: the client asks the
// service for its capabilities, so a refused handshake fails here.
func dialTemporalAt(ctx context.Context, addr, namespace string, sec temporalSecurity) (client.Client, error) {
	opts := client.Options{HostPort: addr, Namespace: namespace, Logger: quietLogger{}}
	if err := sec.apply(&opts); err != nil {
		return nil, err
	}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
	}
	return tc, nil
}

// quietLogger passes on the Temporal client's warnings and errors only.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal:", msg}, kv...)...)
}
func (quietLogger) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal:", msg}, kv...)...)
}
