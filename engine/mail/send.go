package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Sender sends messages over SMTP as the settings say. TLSConfig is for
// tests (a test CA); nil uses the system's roots, with the server name the
// settings' host. The password is read from the password file on each
// Send and kept nowhere else.
type Sender struct {
	SMTP      model.SMTPSettings
	TLSConfig *tls.Config
	Timeout   time.Duration // per connection; 0: 30 s
	// HelloName is the name given in EHLO; "" is "localhost".
	HelloName string
}

// ErrNotConfigured is returned when SMTP has no host.
var ErrNotConfigured = errors.New("no SMTP server is configured (settings: smtp.host); messages wait in the outbox")

// Send delivers one raw message to the addresses of its To header, from
// the address of its From header.
func (s *Sender) Send(msg []byte) error {
	if !s.SMTP.Configured() {
		return ErrNotConfigured
	}
	if err := s.SMTP.Validate(); err != nil {
		return fmt.Errorf("SMTP settings: %w", err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return fmt.Errorf("the message cannot be read: %w", err)
	}
	from, err := mail.ParseAddress(m.Header.Get("From"))
	if err != nil {
		return fmt.Errorf("the message's From is not an address: %w", err)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) == 0 {
		return fmt.Errorf("the message has no valid To address")
	}
	c, err := s.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := s.session(c, from.Address, to, msg); err != nil {
		return err
	}
	return nil
}

func (s *Sender) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return 30 * time.Second
}

func (s *Sender) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = strings.Trim(s.SMTP.Host, "[]")
	}
	return cfg
}

// dial connects and, for tls, handshakes. For plain it dials only loopback
// addresses, whatever the host name resolves to.
func (s *Sender) dial() (*smtp.Client, error) {
	addr := s.SMTP.Addr()
	d := &net.Dialer{Timeout: s.timeout()}
	var conn net.Conn
	var err error
	switch s.SMTP.Security {
	case model.SMTPPlain:
		conn, err = s.dialLoopback(d)
	case model.SMTPTLS:
		conn, err = tls.DialWithDialer(d, "tcp", addr, s.tlsConfig())
	default:
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("SMTP: cannot connect to %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(s.timeout()))
	c, err := smtp.NewClient(conn, strings.Trim(s.SMTP.Host, "[]"))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("SMTP: %s greeted with an error: %w", addr, err)
	}
	return c, nil
}

func (s *Sender) dialLoopback(d *net.Dialer) (net.Conn, error) {
	host, port, err := net.SplitHostPort(s.SMTP.Addr())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout())
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return nil, fmt.Errorf("plain SMTP is allowed only to a loopback address, but %s resolves to %s", host, ip.IP)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	return d.Dial("tcp", net.JoinHostPort(ips[0].IP.String(), port))
}

func (s *Sender) session(c *smtp.Client, from string, to []*mail.Address, msg []byte) error {
	step := func(what string, err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("SMTP %s: %w", what, err)
	}
	hello := s.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return step("EHLO", err)
	}
	if s.SMTP.Security == model.SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("SMTP: %s does not offer STARTTLS; swtoken does not send in the clear (use security tls, or plain to a loopback relay)", s.SMTP.Addr())
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return step("STARTTLS", err)
		}
	}
	if s.SMTP.User != "" {
		pw, err := readPasswordFile(s.SMTP.PasswordFile)
		if err != nil {
			return err
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("SMTP: %s does not offer AUTH, but a user is configured", s.SMTP.Addr())
		}
		if err := c.Auth(smtp.PlainAuth("", s.SMTP.User, pw, strings.Trim(s.SMTP.Host, "[]"))); err != nil {
			return step("AUTH as "+s.SMTP.User, err)
		}
	}
	if err := c.Mail(from); err != nil {
		return step("MAIL FROM:<"+from+">", err)
	}
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return step("RCPT TO:<"+a.Address+">", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return step("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return step("DATA", err)
	}
	if err := w.Close(); err != nil {
		return step("end of DATA", err)
	}
	return step("QUIT", c.Quit())
}

// readPasswordFile reads the SMTP password: the file's first line. The
// error names the file, never its content.
func readPasswordFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("SMTP password file: %w", err)
	}
	pw, _, _ := strings.Cut(string(data), "\n")
	pw = strings.TrimSuffix(pw, "\r")
	if pw == "" {
		return "", fmt.Errorf("SMTP password file %s is empty", path)
	}
	return pw, nil
}
