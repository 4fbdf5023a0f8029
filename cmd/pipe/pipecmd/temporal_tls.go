package pipecmd

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"go.temporal.io/sdk/client"
)

// temporalSecurity is how the Temporal client authenticates the service
// and itself, as the --temporal-tls* and --temporal-api-key flags give it.
// The zero value dials plain gRPC.
type temporalSecurity struct {
	TLS        bool   // --temporal-tls: TLS, trusting the system roots
	CA         string // --temporal-tls-ca: PEM file of the roots that sign the server's certificate
	Cert, Key  string // --temporal-tls-cert, --temporal-tls-key: PEM files of the client certificate (mutual TLS)
	ServerName string // --temporal-tls-server-name: the name the server's certificate must carry
	APIKey     string // --temporal-api-key: sent as a bearer token on every call
}

// apply sets the TLS configuration and credentials of opts.
func (s temporalSecurity) apply(opts *client.Options) error {
	cfg, err := s.tlsConfig()
	if err != nil {
		return err
	}
	opts.ConnectionOptions.TLS = cfg
	if s.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(s.APIKey)
	}
	return nil
}

// tlsConfig returns the client's TLS configuration, or nil for plain gRPC.
// Any setting but --temporal-tls itself implies TLS: a CA, a client
// certificate or a server name mean nothing without it, and an API key
// must not cross the network in the clear.
func (s temporalSecurity) tlsConfig() (*tls.Config, error) {
	if !s.TLS && s.CA == "" && s.Cert == "" && s.Key == "" && s.ServerName == "" && s.APIKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: s.ServerName}
	if s.CA != "" {
		roots, err := readCertificates("--temporal-tls-ca", s.CA)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		for _, c := range roots {
			cfg.RootCAs.AddCert(c)
		}
	}
	switch {
	case s.Cert != "" && s.Key == "":
		return nil, fmt.Errorf("--temporal-tls-cert %s needs --temporal-tls-key, the file of its private key", s.Cert)
	case s.Key != "" && s.Cert == "":
		return nil, fmt.Errorf("--temporal-tls-key %s needs --temporal-tls-cert, the file of its certificate", s.Key)
	case s.Cert != "":
		pair, err := readKeyPair(s.Cert, s.Key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// readKeyPair loads the client certificate; its errors name the file at
// fault: the certificate is checked on its own first, so a failure after
// that lies in the key (unparsable, or not the certificate's).
func readKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--temporal-tls-cert %s: %w", certFile, err)
	}
	if _, err := parseCertificates("--temporal-tls-cert", certFile, certPEM); err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--temporal-tls-key %s: %w", keyFile, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--temporal-tls-key %s (for --temporal-tls-cert %s): %w", keyFile, certFile, err)
	}
	return pair, nil
}

// readCertificates parses the PEM certificates of the file that flag names.
func readCertificates(flag, file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, file, err)
	}
	return parseCertificates(flag, file, data)
}

// parseCertificates parses the PEM certificates in data, read from the
// file that flag names.
func parseCertificates(flag, file string, data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s %s: certificate %d: %w", flag, file, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s %s: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file", flag, file)
	}
	return certs, nil
}
