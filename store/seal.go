package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// KeySize is the size of the store key file in bytes (AES-256).
const KeySize = 32

// sealVersion is the first byte of every sealed value, so that the format
// (algorithm, nonce size, key derivation) can change later without guessing.
const sealVersion byte = 1

const nonceSize = 12

// ErrUnseal is the only error Unseal returns for bad input. It deliberately
// says nothing about the value, the AAD or the key.
var ErrUnseal = errors.New("sealed value cannot be opened: wrong store key, wrong record, or damaged data")

// ErrKeyMissing is wrapped when a store that already has data has no key
// file: a new key would make every sealed seed and the audit chain unreadable,
// so swtoken refuses to create one.
var ErrKeyMissing = errors.New("store key file is missing")

// keySet holds the keys derived from the store key. The raw key itself is not
// kept: each use gets its own HKDF-derived key (domain separation), so a
// weakness in one use cannot leak into another.
type keySet struct {
	id       string      // public fingerprint, stored in meta/key_id
	seal     cipher.AEAD // AES-256-GCM for Seal/Unseal
	auditMAC []byte      // HMAC-SHA256 key for the audit chain
}

// HKDF "info" labels. Changing one changes every derived key: never do it
// without a migration.
const (
	infoKeyID = "swtoken v1 key id"
	infoSeal  = "swtoken v1 seal aes-256-gcm"
	infoAudit = "swtoken v1 audit hmac-sha256"
)

func deriveKeys(master []byte) (*keySet, error) {
	derive := func(info string, n int) ([]byte, error) {
		return hkdf.Key(sha256.New, master, nil, info, n)
	}
	id, err := derive(infoKeyID, 16)
	if err != nil {
		return nil, err
	}
	sealKey, err := derive(infoSeal, 32)
	if err != nil {
		return nil, err
	}
	auditKey, err := derive(infoAudit, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	clear(sealKey)
	return &keySet{id: hex.EncodeToString(id), seal: aead, auditMAC: auditKey}, nil
}

// readKeyFile reads an existing key file. It reports found=false when the
// file does not exist. Permission and size problems are errors that name the
// file but never its content.
func readKeyFile(path string) (key []byte, found bool, err error) {
	if _, err := checkPrivate(path, false); err != nil {
		return nil, true, fmt.Errorf("store key: %w", err)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store key: %w", err)
	}
	defer f.Close()
	// Read one byte more than needed to detect an oversized file.
	buf := make([]byte, KeySize+1)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, true, fmt.Errorf("store key %s: %w", path, err)
	}
	if n != KeySize {
		clear(buf)
		what := fmt.Sprintf("%d bytes", n)
		if n > KeySize {
			what = "more than 32 bytes"
		}
		return nil, true, fmt.Errorf("store key %s has %s, want exactly %d: it is not a swtoken store key (restore it from your key backup)", path, what, KeySize)
	}
	return buf[:KeySize], true, nil
}

// createKeyFile writes a fresh random key. The key is written to a private
// temporary file, fsynced, and then hard-linked to its final name: link, like
// O_EXCL, fails if the name exists, so an existing key is never overwritten,
// and unlike a plain O_EXCL write a crash cannot leave a short key file under
// the final name.
func createKeyFile(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("store key: random source: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("create store key: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := tmp.Chmod(fileMode); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create store key: %w", err)
	}
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create store key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create store key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("create store key: %w", err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Someone else created it first: use theirs.
			clear(key)
			k, _, rerr := readKeyFile(path)
			return k, rerr
		}
		return nil, fmt.Errorf("create store key: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return nil, fmt.Errorf("create store key: %w", err)
	}
	return key, nil
}

// Seal encrypts plaintext with AES-256-GCM under a key derived from the store
// key. aad must name the record the value belongs to (for example
// "seed:"+serial): Unseal with any other aad fails, so a sealed value copied
// into another record is useless. Layout: version byte, 12-byte random nonce,
// ciphertext with tag. The version byte is authenticated too.
func (s *Store) Seal(plaintext, aad []byte) ([]byte, error) {
	if s.keys == nil {
		return nil, errors.New("store is closed")
	}
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+s.keys.seal.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("seal: random source: %w", err)
	}
	return s.keys.seal.Seal(out, out[1:1+nonceSize], plaintext, sealAAD(aad)), nil
}

// Unseal reverses Seal. Any mismatch (other key, other aad, a flipped bit,
// a truncated value) yields ErrUnseal and no partial plaintext.
func (s *Store) Unseal(sealed, aad []byte) ([]byte, error) {
	if s.keys == nil {
		return nil, errors.New("store is closed")
	}
	if len(sealed) < 1+nonceSize+s.keys.seal.Overhead() || sealed[0] != sealVersion {
		return nil, ErrUnseal
	}
	pt, err := s.keys.seal.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], sealAAD(aad))
	if err != nil {
		return nil, ErrUnseal
	}
	return pt, nil
}

// sealAAD prefixes the caller's AAD with the format version so that the
// version byte cannot be changed without detection.
func sealAAD(aad []byte) []byte {
	out := make([]byte, 0, 16+len(aad))
	out = append(out, "swtoken-seal"...)
	out = append(out, 0, sealVersion)
	return append(out, aad...)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
