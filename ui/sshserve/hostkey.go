package sshserve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	gossh "golang.org/x/crypto/ssh"
)

// HostKeyFile is the host key's name in the data directory.
const HostKeyFile = "ssh_host_ed25519_key"

// LoadOrCreateHostKey reads the ed25519 host key at path, or makes one
// (mode 0600, never replacing a file) when there is none; created says
// which. A key file that others may read or write (any group or other
// permission bit) is refused: whoever can read it can pose as this server.
func LoadOrCreateHostKey(path string) (signer gossh.Signer, created bool, err error) {
	data, err := readHostKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := writeHostKey(path); err != nil {
			return nil, false, err
		}
		created = true
		data, err = readHostKey(path)
	}
	if err != nil {
		return nil, false, err
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %v (move it away to make a new one; clients will then warn that the host key changed)", path, err)
	}
	if signer.PublicKey().Type() != gossh.KeyAlgoED25519 {
		return nil, false, fmt.Errorf("host key %s is %s, not ssh-ed25519", path, signer.PublicKey().Type())
	}
	return signer, created, nil
}

func readHostKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("host key %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("host key %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	return readAllLimited(f, 64<<10)
}

func readAllLimited(f *os.File, limit int64) ([]byte, error) {
	buf := make([]byte, limit+1)
	n := 0
	for {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
		if int64(n) > limit {
			return nil, fmt.Errorf("host key %s is larger than %d bytes: not a host key", f.Name(), limit)
		}
	}
	return buf[:n], nil
}

func writeHostKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "swtoken serve host key")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("making the host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("writing the host key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("writing the host key %s: %w", path, err)
	}
	return f.Close()
}
