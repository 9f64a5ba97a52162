package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/swtoken/swtoken/engine/sdtid"
)

// gen writes the token files and users CSV files the workers import: every
// serial and user ID is new (a counter), so the ledger knows exactly which
// command brought which item.
type gen struct {
	dir    string // where the files go
	writer *sdtid.Writer
	seq    atomic.Int64 // file name counter
}

func newGen(dir string) (*gen, error) {
	signer, err := sdtid.GenerateSigner("swtoken stress import")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &gen{dir: dir, writer: &sdtid.Writer{Signer: signer}}, nil
}

func (g *gen) path(ext string) string {
	return filepath.Join(g.dir, fmt.Sprintf("f%06d.%s", g.seq.Add(1), ext))
}

// tokenFile writes a single-token SDTID file (8 digits, 60 s, PIN added,
// as swtoken verify assumes for a token it never distributed; password ""
// = none) and returns its path.
func (g *gen) tokenFile(serial, password string) (string, error) {
	w, err := g.writer.Write(sdtid.WriteInput{
		Batch:    sdtid.Batch{Digits: 8, IntervalSeconds: 60, AddPIN: true},
		Token:    sdtid.TokenSpec{Serial: serial},
		Password: password,
	})
	if err != nil {
		return "", err
	}
	p := g.path("sdtid")
	return p, os.WriteFile(p, w.Data, 0o600)
}

// usersCSV writes a users CSV with the given user IDs.
func (g *gen) usersCSV(ids []string) (string, error) {
	var b strings.Builder
	b.WriteString("user_id,first_name,last_name,email\n")
	for i, id := range ids {
		fmt.Fprintf(&b, "%s,Stress,User %d,%s@example.com\n", id, i+1, id)
	}
	p := g.path("csv")
	return p, os.WriteFile(p, []byte(b.String()), 0o600)
}

// secretFile writes a password file (mode 0600, as swtoken requires).
func (g *gen) secretFile(name, password string) (string, error) {
	p := filepath.Join(g.dir, name)
	return p, os.WriteFile(p, []byte(password+"\n"), 0o600)
}
