// Package mailtest starts a real SMTP server for tests: Debian's
// python3-aiosmtpd on a free loopback port, in plain, STARTTLS or implicit
// TLS mode with a test CA, saving each message it accepts.
package mailtest

import (
	"bufio"
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
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests send to a real SMTP server: Debian's python3-aiosmtpd, run by
// /usr/bin/python3 (the python3 first on PATH may lack Debian's modules).
const Python = "/usr/bin/python3"

func RequireAiosmtpd(t testing.TB) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import aiosmtpd").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-aiosmtpd is required in CI (apt-get install python3-aiosmtpd): %v", err)
		}
		t.Skipf("python3-aiosmtpd is not installed: %v", err)
	}
}

func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestCA makes a CA and a server certificate for 127.0.0.1 and localhost,
// writes the server's cert.pem and key.pem and the CA's ca.pem (for a
// child process's SSL_CERT_FILE) to dir and returns a client
// configuration that trusts the CA only.
func TestCA(t testing.TB, dir string) *tls.Config {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "swtoken test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// serverScript is aiosmtpd's Controller with STARTTLS or implicit TLS, an
// optional user and password, saving each message's raw bytes.
const serverScript = `
import os, ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
mode, port, outdir, certdir, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
class Saver:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(outdir) if f.endswith(".eml")])
        path = os.path.join(outdir, "%04d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK saved"
def check(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == pw.encode():
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)
kw = {}
if mode in ("starttls", "tls"):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(os.path.join(certdir, "cert.pem"), os.path.join(certdir, "key.pem"))
    if mode == "starttls":
        kw["tls_context"] = ctx
        kw["require_starttls"] = True
    else:
        kw["ssl_context"] = ctx
if user:
    kw["authenticator"] = check
    kw["auth_require_tls"] = mode != "plain"
c = Controller(Saver(), hostname="127.0.0.1", port=port, **kw)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
`

type Server struct {
	Port   int
	OutDir string
	TLS    *tls.Config // trusts the server's test CA
	// CAFile is the test CA's PEM file, for SSL_CERT_FILE.
	CAFile string
}

// Start runs the script on a free loopback port: mode is plain,
// starttls or tls; user "" means no AUTH.
func Start(t testing.TB, mode, user, pw string) *Server {
	t.Helper()
	RequireAiosmtpd(t)
	dir := t.TempDir()
	s := &Server{Port: FreePort(t), OutDir: filepath.Join(dir, "received")}
	if err := os.Mkdir(s.OutDir, 0o700); err != nil {
		t.Fatal(err)
	}
	s.TLS = TestCA(t, dir)
	s.CAFile = filepath.Join(dir, "ca.pem")
	script := filepath.Join(dir, "server.py")
	if err := os.WriteFile(script, []byte(serverScript), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Python, script, mode, strconv.Itoa(s.Port), s.OutDir, dir, user, pw)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ready <- sc.Scan() && sc.Text() == "ready"
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("the SMTP server did not start: %s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the SMTP server did not start in 20 s: %s", stderr.String())
	}
	return s
}

// Received returns the raw messages the server saved, in order.
func (s *Server) Received(t testing.TB) [][]byte {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(s.OutDir, "*.eml"))
	sort.Strings(names)
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// Mailbox is the stock "/usr/bin/python3 -m aiosmtpd" server, plain on the
// loopback, saving what it receives to a maildir.
type Mailbox struct {
	Port int
	Dir  string // the maildir; messages land in Dir/new
	cmd  *exec.Cmd
}

// StartMailbox starts a Mailbox server, stopped at the test's end. It
// fails (CI) or skips without python3-aiosmtpd, as RequireAiosmtpd does.
func StartMailbox(t testing.TB) *Mailbox {
	t.Helper()
	RequireAiosmtpd(t)
	m := &Mailbox{Port: FreePort(t), Dir: filepath.Join(t.TempDir(), "Maildir")}
	m.cmd = exec.Command(Python, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:"+strconv.Itoa(m.Port), "-c", "aiosmtpd.handlers.Mailbox", m.Dir)
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// Stop kills the server (again is harmless).
func (m *Mailbox) Stop() {
	if m.cmd.ProcessState == nil {
		m.cmd.Process.Kill()
		m.cmd.Wait()
	}
}

// Messages are the files of the messages received so far.
func (m *Mailbox) Messages() []string {
	files, _ := filepath.Glob(filepath.Join(m.Dir, "new", "*"))
	return files
}
