package pipecmd

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
	"go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/diffusion-dfl/pipe/pipeline/temporal/temporaltest"
)

func TestTemporalTLSConfigErrors(t *testing.T) {
	p := newTestPKI(t)
	missing := filepath.Join(p.Dir, "missing.pem")
	garbage := filepath.Join(p.Dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := p.write(t, "corrupt.pem", "CERTIFICATE", []byte("not DER"))
	cases := []struct {
		name string
		sec  temporalSecurity
		want []string // substrings of the error: the flag, the file, the fault
	}{
		{"cert without key", temporalSecurity{Cert: p.Cert}, []string{"--temporal-tls-cert " + p.Cert, "needs --temporal-tls-key"}},
		{"key without cert", temporalSecurity{Key: p.Key}, []string{"--temporal-tls-key " + p.Key, "needs --temporal-tls-cert"}},
		{"missing CA", temporalSecurity{CA: missing}, []string{"--temporal-tls-ca " + missing, "no such file"}},
		{"CA not PEM", temporalSecurity{CA: garbage}, []string{"--temporal-tls-ca " + garbage, "no PEM certificate"}},
		{"CA holds a key only", temporalSecurity{CA: p.Key}, []string{"--temporal-tls-ca " + p.Key, "no PEM certificate"}},
		{"CA not DER", temporalSecurity{CA: corrupt}, []string{"--temporal-tls-ca " + corrupt, "certificate 1"}},
		{"missing cert", temporalSecurity{Cert: missing, Key: p.Key}, []string{"--temporal-tls-cert " + missing, "no such file"}},
		{"cert not PEM", temporalSecurity{Cert: garbage, Key: p.Key}, []string{"--temporal-tls-cert " + garbage, "no PEM certificate"}},
		{"missing key", temporalSecurity{Cert: p.Cert, Key: missing}, []string{"--temporal-tls-key " + missing, "no such file"}},
		{"key not PEM", temporalSecurity{Cert: p.Cert, Key: garbage}, []string{"--temporal-tls-key " + garbage, "key"}},
		{"key of another certificate", temporalSecurity{Cert: p.Cert, Key: p.ServerKey},
			[]string{"--temporal-tls-key " + p.ServerKey, "--temporal-tls-cert " + p.Cert, "does not match"}},
	}
	for _, c := range cases {
		cfg, err := c.sec.tlsConfig()
		if err == nil {
			t.Errorf("%s: no error (config %v)", c.name, cfg)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.name, err, w)
			}
		}
	}
}

func TestTemporalSecurityFlags(t *testing.T) {
	read := func(args ...string) temporalSecurity {
		var got temporalSecurity
		app := &cli.App{Flags: temporalFlags(), Action: func(c *cli.Context) error { got = temporalSecurityOf(c); return nil }}
		if err := app.Run(append([]string{"pipe"}, args...)); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := temporalSecurity{TLS: true, CA: "ca.pem", Cert: "c.pem", Key: "k.pem", ServerName: "t.example", APIKey: "key"}
	if got := read("--temporal-tls", "--temporal-tls-ca", "ca.pem", "--temporal-tls-cert", "c.pem", "--temporal-tls-key", "k.pem",
		"--temporal-tls-server-name", "t.example", "--temporal-api-key", "key"); got != want {
		t.Errorf("from flags %+v, want %+v", got, want)
	}
	// The environment variables of the temporal CLI.
	for k, v := range map[string]string{"TEMPORAL_TLS": "true", "TEMPORAL_TLS_CA_PATH": "ca.pem", "TEMPORAL_TLS_CERT_PATH": "c.pem",
		"TEMPORAL_TLS_KEY_PATH": "k.pem", "TEMPORAL_TLS_SERVER_NAME": "t.example", "TEMPORAL_API_KEY": "key"} {
		t.Setenv(k, v)
	}
	if got := read(); got != want {
		t.Errorf("from the environment %+v, want %+v", got, want)
	}
}

func TestTemporalTLSConfig(t *testing.T) {
	p := newTestPKI(t)
	cases := []struct {
		name                string
		sec                 temporalSecurity
		tls, roots, hasCert bool
		serverName          string
	}{
		{"plain gRPC", temporalSecurity{}, false, false, false, ""},
		{"system roots", temporalSecurity{TLS: true}, true, false, false, ""},
		{"API key implies TLS", temporalSecurity{APIKey: "k"}, true, false, false, ""},
		{"server name implies TLS", temporalSecurity{ServerName: "temporal.example"}, true, false, false, "temporal.example"},
		{"CA", temporalSecurity{CA: p.CA}, true, true, false, ""},
		{"mutual TLS", temporalSecurity{CA: p.CA, Cert: p.Cert, Key: p.Key}, true, true, true, ""},
	}
	for _, c := range cases {
		cfg, err := c.sec.tlsConfig()
		switch {
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case (cfg != nil) != c.tls:
			t.Errorf("%s: config %v, want TLS %v", c.name, cfg, c.tls)
		case cfg != nil && ((cfg.RootCAs != nil) != c.roots || (len(cfg.Certificates) == 1) != c.hasCert || cfg.ServerName != c.serverName):
			t.Errorf("%s: roots %v, %d certificates, server name %q", c.name, cfg.RootCAs != nil, len(cfg.Certificates), cfg.ServerName)
		}
	}
}

// fakeFrontend is as much of a Temporal frontend as the client's dial and
// these tests touch: client.Dial asks WorkflowService.GetSystemInfo for
// the server's capabilities (it does not call the health service),
// CheckHealth calls the gRPC health service, and DescribeNamespace. It
// records the authorization headers it sees.
type fakeFrontend struct {
	workflowservice.UnimplementedWorkflowServiceServer
	mu   sync.Mutex
	auth []string
}

func (f *fakeFrontend) GetSystemInfo(ctx context.Context, _ *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.mu.Lock()
	f.auth = append(f.auth, md.Get("authorization")...)
	f.mu.Unlock()
	return &workflowservice.GetSystemInfoResponse{ServerVersion: "fake"}, nil
}

func (f *fakeFrontend) DescribeNamespace(_ context.Context, req *workflowservice.DescribeNamespaceRequest) (*workflowservice.DescribeNamespaceResponse, error) {
	return &workflowservice.DescribeNamespaceResponse{NamespaceInfo: &namespace.NamespaceInfo{Name: req.Namespace}}, nil
}

// serveFake serves a fakeFrontend on a loopback port until the test ends,
// over TLS when cfg is not nil.
func serveFake(t *testing.T, cfg *tls.Config) (string, *fakeFrontend) {
	t.Helper()
	var opts []grpc.ServerOption
	if cfg != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
	}
	s := grpc.NewServer(opts...)
	f := &fakeFrontend{}
	workflowservice.RegisterWorkflowServiceServer(s, f)
	hs := health.NewServer()
	hs.SetServingStatus(workflowservice.WorkflowService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(s.Stop)
	return l.Addr().String(), f
}

func TestTemporalTLSHandshake(t *testing.T) {
	p := newTestPKI(t)
	addr, f := serveFake(t, p.serverTLS())
	mtls := temporalSecurity{CA: p.CA, Cert: p.Cert, Key: p.Key}
	named, keyed, noCert, otherCA, badName := mtls, mtls, mtls, mtls, mtls
	named.ServerName = "localhost"
	keyed.APIKey = "secret-key"
	noCert.Cert, noCert.Key = "", ""
	otherCA.CA = p.OtherCA
	badName.ServerName = "temporal.example"
	cases := []struct {
		name string
		sec  temporalSecurity
		ok   bool
	}{
		{"mutual TLS", mtls, true},
		{"mutual TLS, server name", named, true},
		{"mutual TLS and API key", keyed, true},
		{"no client certificate", noCert, false},
		{"wrong CA", otherCA, false},
		{"server name not on the certificate", badName, false},
		{"system roots", temporalSecurity{TLS: true}, false},
		{"plain gRPC", temporalSecurity{}, false},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		tc, err := dialTemporalAt(ctx, addr, "default", c.sec)
		if err == nil {
			_, err = tc.CheckHealth(ctx, &client.CheckHealthRequest{})
			tc.Close()
		}
		cancel()
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !c.ok && err == nil:
			t.Errorf("%s: connected", c.name)
		case !c.ok && !strings.Contains(err.Error(), "connect to Temporal at "+addr):
			t.Errorf("%s: %q does not name the address", c.name, err)
		case !c.ok:
			t.Logf("%s: %v", c.name, err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.Join(f.auth, ",") != "Bearer secret-key" {
		t.Errorf("authorization headers %q, want the API key once", f.auth)
	}
}

// tlsProxy terminates TLS on a loopback port, requiring client
// certificates of the test CA, and forwards the bytes to backend. It
// offers HTTP/2 by ALPN, as a proxy in front of gRPC must: grpc-go clients
// refuse a handshake without it.
func tlsProxy(t *testing.T, p *testPKI, backend string) string {
	t.Helper()
	cfg := p.serverTLS()
	cfg.NextProtos = []string{"h2"}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go forward(c.(*tls.Conn), backend)
		}
	}()
	return l.Addr().String()
}

// forward copies bytes both ways between a client that passed the
// handshake and a new connection to backend, until either side closes.
func forward(c *tls.Conn, backend string) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	b, err := net.Dial("tcp", backend)
	if err != nil {
		return
	}
	defer b.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(b, c); done <- struct{}{} }()
	go func() { io.Copy(c, b); done <- struct{}{} }()
	<-done
}

// checkThroughTLSProxy dials the plain frontend at backend through a
// TLS-terminating proxy: with the client certificate it answers the
// health check and describes the default namespace; without, it is refused.
func checkThroughTLSProxy(t *testing.T, backend string) {
	p := newTestPKI(t)
	addr := tlsProxy(t, p, backend)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tc, err := dialTemporalAt(ctx, addr, "default", temporalSecurity{CA: p.CA, Cert: p.Cert, Key: p.Key})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("health check through the proxy: %v", err)
	}
	resp, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if err != nil {
		t.Fatalf("describe namespace through the proxy: %v", err)
	}
	if got := resp.GetNamespaceInfo().GetName(); got != "default" {
		t.Errorf("described namespace %q, want default", got)
	}
	if tc, err := dialTemporalAt(ctx, addr, "default", temporalSecurity{CA: p.CA}); err == nil {
		tc.Close()
		t.Error("the proxy let a client without a certificate through")
	}
}

func TestTemporalTLSProxyToFake(t *testing.T) {
	addr, _ := serveFake(t, nil)
	checkThroughTLSProxy(t, addr)
}

func TestTemporalTLSProxyToDevServer(t *testing.T) {
	checkThroughTLSProxy(t, temporaltest.Address(t))
}
