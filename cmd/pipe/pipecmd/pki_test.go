package pipecmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and localhost
// and a client certificate, and a second CA that signs neither; the
// client's files are PEM files in a temporary directory.
type testPKI struct {
	Dir         string
	CA, OtherCA string // PEM files of the two CAs
	Cert, Key   string // PEM files of the client certificate and its key
	ServerKey   string // PEM file of the server's key (not the client certificate's)
	Roots       *x509.CertPool
	ServerCert  tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{Dir: t.TempDir(), Roots: x509.NewCertPool()}
	ca, caKey := newCA(t, "pipe test CA")
	other, _ := newCA(t, "other CA")
	p.Roots.AddCert(ca)
	p.CA = p.write(t, "ca.pem", "CERTIFICATE", ca.Raw)
	p.OtherCA = p.write(t, "other-ca.pem", "CERTIFICATE", other.Raw)

	serverDER, serverKey := issue(t, ca, caKey, &x509.Certificate{
		Subject: pkix.Name{CommonName: "temporal"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	p.ServerCert = tls.Certificate{Certificate: [][]byte{serverDER}, PrivateKey: serverKey}
	p.ServerKey = p.write(t, "server-key.pem", "PRIVATE KEY", marshalKey(t, serverKey))

	clientDER, clientKey := issue(t, ca, caKey, &x509.Certificate{
		Subject: pkix.Name{CommonName: "pipe-worker"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	p.Cert = p.write(t, "client.pem", "CERTIFICATE", clientDER)
	p.Key = p.write(t, "client-key.pem", "PRIVATE KEY", marshalKey(t, clientKey))
	return p
}

// serverTLS is the server side: the server certificate, and client
// certificates required and verified against the CA.
func (p *testPKI) serverTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.ServerCert}, ClientCAs: p.Roots,
		ClientAuth: tls.RequireAndVerifyClientCert}
}

func (p *testPKI) write(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.Dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	der, key := issue(t, nil, nil, &x509.Certificate{Subject: pkix.Name{CommonName: name},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign})
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key
}

// issue signs tmpl with parent's key, or self-signs it when parent is nil.
func issue(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.KeyUsage |= x509.KeyUsageDigitalSignature
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func marshalKey(t *testing.T, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
