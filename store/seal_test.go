package store

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealRoundTrip(t *testing.T) {
	s, dir := newStore(t)
	seed := []byte("0123456789abcdef")
	aad := []byte("seed:000123456789")
	sealed, err := s.Seal(seed, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, seed) {
		t.Fatal("plaintext visible in sealed value")
	}
	if sealed[0] != sealVersion || len(sealed) != 1+12+len(seed)+16 {
		t.Errorf("layout: version %d, length %d", sealed[0], len(sealed))
	}
	again, _ := s.Seal(seed, aad)
	if bytes.Equal(sealed, again) {
		t.Error("two seals of the same value are identical: nonce not random")
	}
	got, err := s.Unseal(sealed, aad)
	if err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("unseal: %v", err)
	}
	empty, _ := s.Seal(nil, aad)
	if got, err := s.Unseal(empty, aad); err != nil || len(got) != 0 {
		t.Errorf("empty round trip: %q %v", got, err)
	}

	// Survives a reopen (the key is persistent).
	s.Close()
	s2, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Unseal(sealed, aad); err != nil || !bytes.Equal(got, seed) {
		t.Fatalf("unseal after reopen: %v", err)
	}
}

func TestUnsealRejects(t *testing.T) {
	s, _ := newStore(t)
	seed := []byte("0123456789abcdef")
	aad := []byte("seed:000123456789")
	sealed, err := s.Seal(seed, aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Unseal(bad, aad); !errors.Is(err, ErrUnseal) {
			t.Errorf("flipped byte %d: got %v", i, err)
		}
	}
	if _, err := s.Unseal(sealed, []byte("seed:000123456788")); !errors.Is(err, ErrUnseal) {
		t.Errorf("wrong AAD: %v", err)
	}
	if _, err := s.Unseal(sealed, nil); !errors.Is(err, ErrUnseal) {
		t.Errorf("missing AAD: %v", err)
	}
	for _, n := range []int{0, 1, 13, 28, len(sealed) - 1} {
		if _, err := s.Unseal(sealed[:n], aad); !errors.Is(err, ErrUnseal) {
			t.Errorf("truncated to %d: %v", n, err)
		}
	}
	// Another store's key cannot open it.
	other, _ := newStore(t)
	if _, err := other.Unseal(sealed, aad); !errors.Is(err, ErrUnseal) {
		t.Errorf("other key: %v", err)
	}
	// The error never carries the secret or the AAD.
	_, err = s.Unseal(sealed, []byte("seed:x"))
	if bytes.Contains([]byte(err.Error()), []byte("seed")) {
		t.Errorf("error leaks input: %v", err)
	}
}

func TestKeyDerivationSeparated(t *testing.T) {
	k, err := deriveKeys(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := deriveKeys(bytes.Repeat([]byte{7}, KeySize))
	if k.id != k2.id || !bytes.Equal(k.auditMAC, k2.auditMAC) {
		t.Error("derivation is not deterministic")
	}
	if bytes.Equal(k.auditMAC, bytes.Repeat([]byte{7}, KeySize)) {
		t.Error("audit key is the raw store key")
	}
}
