package model

import (
	"fmt"
	"net"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
)

// SMTPSecurity is how swtoken talks to the SMTP server.
type SMTPSecurity string

const (
	// SMTPStartTLS connects in the clear and upgrades with STARTTLS; a
	// server that does not offer it is refused (no silent downgrade).
	SMTPStartTLS SMTPSecurity = "starttls"
	// SMTPTLS is implicit TLS from the first byte (usually port 465).
	SMTPTLS SMTPSecurity = "tls"
	// SMTPPlain is no encryption at all, allowed only to a loopback
	// address (a local relay), because the password and the tokens would
	// otherwise cross the network in the clear.
	SMTPPlain SMTPSecurity = "plain"
)

// Fields of the SMTP settings, for field errors.
const (
	FieldSMTPHost         = "SMTP host"
	FieldSMTPPort         = "SMTP port"
	FieldSMTPSecurity     = "SMTP security"
	FieldSMTPUser         = "SMTP user"
	FieldSMTPPasswordFile = "SMTP password file"
	FieldSMTPFrom         = "SMTP from address"
)

// SMTPSettings say where swtoken sends its e-mail. A zero value (no host)
// means no SMTP: messages stay in the outbox maildir for the admin. The
// password is never part of the settings: PasswordFile names a file that
// is read at send time only.
type SMTPSettings struct {
	Host         string
	Port         int
	Security     SMTPSecurity
	User         string
	PasswordFile string
	From         string
	// ZipTokenFile sends a token file inside a .zip instead of as a bare
	// .sdtid, for mail servers that block .sdtid attachments.
	ZipTokenFile bool
}

// Configured reports whether messages are sent by SMTP.
func (s SMTPSettings) Configured() bool { return s.Host != "" }

// DefaultSMTPPort is the port for a security mode when none is given.
func DefaultSMTPPort(sec SMTPSecurity) int {
	switch sec {
	case SMTPTLS:
		return 465
	case SMTPPlain:
		return 25
	}
	return 587
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP
// literal. Names other than localhost are not resolved here: a plain
// connection must not depend on what DNS says at validation time (the
// sender checks the addresses it dials as well).
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Validate checks the SMTP settings and returns every field error at once.
// With no host nothing else may be set, except ZipTokenFile and From (the
// outbox's messages need a From as well).
func (s SMTPSettings) Validate() error {
	var es FieldErrors
	if s.From == "" && s.Host != "" {
		es = append(es, fieldErr(FieldSMTPFrom, "must be set when an SMTP host is set"))
	}
	if s.From != "" {
		if err := validateMailbox(s.From); err != nil {
			es = append(es, fieldErr(FieldSMTPFrom, "%v", err))
		}
	}
	if s.Host == "" {
		if s.Port != 0 || s.Security != "" || s.User != "" || s.PasswordFile != "" {
			es = append(es, fieldErr(FieldSMTPHost, "is blank, so port, security, user and password file must be blank too (no SMTP: messages go to the outbox)"))
		}
		return es.Err()
	}
	if len(s.Host) > 253 || hasControl(s.Host) || strings.ContainsAny(s.Host, " \t/:@") {
		if ip := net.ParseIP(strings.Trim(s.Host, "[]")); ip == nil {
			es = append(es, fieldErr(FieldSMTPHost, "%q is not a host name or IP address", s.Host))
		}
	}
	if s.Port < 0 || s.Port > 65535 {
		es = append(es, fieldErr(FieldSMTPPort, "must be 1-65535 (got %d), or 0 for the security mode's default", s.Port))
	}
	switch s.Security {
	case SMTPStartTLS, SMTPTLS:
	case SMTPPlain:
		if !IsLoopbackHost(s.Host) {
			es = append(es, fieldErr(FieldSMTPSecurity, "plain (unencrypted) SMTP is allowed only to a loopback address (localhost, 127.0.0.1, ::1), not %q; use starttls or tls", s.Host))
		}
	default:
		es = append(es, fieldErr(FieldSMTPSecurity, "%q is not a security mode; use starttls, tls or plain", string(s.Security)))
	}
	if hasControl(s.User) || len(s.User) > 256 {
		es = append(es, fieldErr(FieldSMTPUser, "must be at most 256 characters without control characters"))
	}
	switch {
	case s.User != "" && s.PasswordFile == "":
		es = append(es, fieldErr(FieldSMTPPasswordFile, "must be set when a user is set (the password is read from this file when sending)"))
	case s.User == "" && s.PasswordFile != "":
		es = append(es, fieldErr(FieldSMTPUser, "must be set when a password file is set"))
	}
	if s.PasswordFile != "" && (!filepath.IsAbs(s.PasswordFile) || hasControl(s.PasswordFile)) {
		es = append(es, fieldErr(FieldSMTPPasswordFile, "%q must be an absolute path", s.PasswordFile))
	}
	return es.Err()
}

// validateMailbox accepts one bare address or "Name <address>".
func validateMailbox(s string) error {
	if hasControl(s) {
		return fmt.Errorf("must not contain control characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("%q is not an e-mail address", s)
	}
	if !strings.Contains(a.Address, "@") {
		return fmt.Errorf("%q has no domain", s)
	}
	return nil
}

// Addr is host:port with the security mode's default port when Port is 0.
func (s SMTPSettings) Addr() string {
	p := s.Port
	if p == 0 {
		p = DefaultSMTPPort(s.Security)
	}
	return net.JoinHostPort(strings.Trim(s.Host, "[]"), strconv.Itoa(p))
}

// diffSMTP lists SMTP changes for the audit trail. The password is never
// in the settings; only the password file's path is named.
func diffSMTP(o, n SMTPSettings) []string {
	var out []string
	add := func(label, ov, nv string) {
		if ov != nv {
			out = append(out, fmt.Sprintf("SMTP %s: %s -> %s", label, orDash(ov), orDash(nv)))
		}
	}
	add("host", o.Host, n.Host)
	add("port", portLabel(o.Port), portLabel(n.Port))
	add("security", string(o.Security), string(n.Security))
	add("user", o.User, n.User)
	add("password file", o.PasswordFile, n.PasswordFile)
	add("from", o.From, n.From)
	if o.ZipTokenFile != n.ZipTokenFile {
		out = append(out, fmt.Sprintf("SMTP token file as .zip: %s -> %s", yesNo(o.ZipTokenFile), yesNo(n.ZipTokenFile)))
	}
	return out
}

func portLabel(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}

func orDash(s string) string {
	if s == "" {
		return "(none)"
	}
	return strconv.Quote(s)
}
