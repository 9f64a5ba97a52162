package store

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
)

// signingKeyAAD binds the sealed signing key to its meta entry.
var signingKeyAAD = []byte("meta:signing_key")

// ErrSigningKeyExists is returned by SetSigningKey when the installation
// has a signing key already: replacing it would change the certificate in
// every token file from then on, so it is never done silently.
var ErrSigningKeyExists = errors.New("the installation already has an SDTID signing key; it is never replaced silently")

// SigningKey returns the installation's SDTID signing key (DER, PKCS#1 or
// PKCS#8 as it was set) and its certificate (DER). The caller clears keyDER
// after use. ErrNotFound when none was set yet.
func (s *Store) SigningKey() (keyDER, certDER []byte, err error) {
	var sealed []byte
	err = s.View(func(tx *Tx) error {
		meta := tx.tx.Bucket(bucketMeta)
		sealed = bytes.Clone(meta.Get(metaSigningKey))
		certDER = bytes.Clone(meta.Get(metaSigningCert))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if sealed == nil {
		return nil, nil, fmt.Errorf("installation signing key: %w", ErrNotFound)
	}
	if certDER == nil {
		return nil, nil, errors.New("installation signing key: the certificate is missing: the store is damaged")
	}
	if keyDER, err = s.Unseal(sealed, signingKeyAAD); err != nil {
		return nil, nil, fmt.Errorf("installation signing key: %w", err)
	}
	return keyDER, certDER, nil
}

// parseRSAKey reads a PKCS#1 or PKCS#8 RSA private key.
func parseRSAKey(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("the key is not a PKCS#1 or PKCS#8 private key in DER form")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T, not an RSA key", k)
	}
	return rk, nil
}

// SetSigningKey stores the installation's SDTID signing key (sealed with
// AAD "meta:signing_key") and certificate (in the clear), once: when a key
// exists already it returns ErrSigningKeyExists and changes nothing. The
// key must be an RSA private key (PKCS#1 or PKCS#8 DER) and the certificate
// an X.509 certificate (DER) for that key. Audit "signing key create" with
// the certificate's SHA-256 fingerprint.
func (s *Store) SetSigningKey(keyDER, certDER []byte) error {
	key, err := parseRSAKey(keyDER)
	if err != nil {
		return fmt.Errorf("installation signing key: %w", err)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("installation signing certificate: not an X.509 certificate in DER form: %w", err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return errors.New("installation signing certificate: it is not the certificate of this key")
	}
	sealed, err := s.Seal(keyDER, signingKeyAAD)
	if err != nil {
		return err
	}
	return s.Update(func(tx *Tx) error {
		meta := tx.tx.Bucket(bucketMeta)
		if meta.Get(metaSigningKey) != nil {
			return ErrSigningKeyExists
		}
		if err := meta.Put(metaSigningKey, sealed); err != nil {
			return err
		}
		if err := meta.Put(metaSigningCert, bytes.Clone(certDER)); err != nil {
			return err
		}
		return tx.AppendAudit("signing key create", "installation",
			fmt.Sprintf("RSA-%d; certificate SHA-256 %x", key.N.BitLen(), sha256.Sum256(certDER)))
	})
}
