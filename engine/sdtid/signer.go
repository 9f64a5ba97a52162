package sdtid

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// signerBits is fixed by the format: BatchSignature has room for 128 bytes.
const signerBits = 1024

// Signer holds the installation's RSA-1024 key and its self-signed
// certificate. It signs BatchSignature (PKCS#1 v1.5 over SHA-1, 2.7) and
// puts the certificate into BatchCertificate, so anyone holding the
// certificate can check that a file came from this installation. stoken
// ignores both; the vendor key other tools carry is never used.
type Signer struct {
	key     *rsa.PrivateKey
	keyDER  []byte // PKCS#1
	certDER []byte
}

// GenerateSigner makes a new RSA-1024 key and a self-signed certificate
// (SHA-256 signed, valid 30 years) with the given common name.
func GenerateSigner(commonName string) (*Signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, signerBits)
	if err != nil {
		return nil, fmt.Errorf("sdtid: generating the signing key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("sdtid: certificate serial: %w", err)
	}
	now := time.Now().UTC()
	tpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sdtid: creating the certificate: %w", err)
	}
	return &Signer{key: key, keyDER: x509.MarshalPKCS1PrivateKey(key), certDER: cert}, nil
}

// NewSigner rebuilds a Signer from a stored key (PKCS#1 or PKCS#8 DER) and
// certificate DER. The key must be RSA-1024 and match the certificate.
func NewSigner(keyDER, certDER []byte) (*Signer, error) {
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS1PrivateKey(keyDER); err == nil {
		key = k
	} else if k8, err8 := x509.ParsePKCS8PrivateKey(keyDER); err8 == nil {
		rk, ok := k8.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("sdtid: the signing key is not an RSA key")
		}
		key = rk
	} else {
		return nil, fmt.Errorf("sdtid: the signing key is neither PKCS#1 nor PKCS#8 DER: %w", err)
	}
	if key.N.BitLen() != signerBits {
		return nil, fmt.Errorf("sdtid: the signing key has %d bits; the format needs exactly %d", key.N.BitLen(), signerBits)
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, fmt.Errorf("sdtid: the certificate does not parse: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("sdtid: the certificate does not belong to the signing key")
	}
	return &Signer{key: key, keyDER: x509.MarshalPKCS1PrivateKey(key), certDER: bytes.Clone(certDER)}, nil
}

// KeyDER returns the private key as PKCS#1 DER, for the store to persist.
func (s *Signer) KeyDER() []byte { return bytes.Clone(s.keyDER) }

// CertDER returns the certificate DER.
func (s *Signer) CertDER() []byte { return bytes.Clone(s.certDER) }

func (s *Signer) sign(sigbuf []byte) ([]byte, error) {
	digest := sha1.Sum(sigbuf)
	// PKCS#1 v1.5 is deterministic, so no randomness is needed.
	return rsa.SignPKCS1v15(nil, s.key, crypto.SHA1, digest[:])
}

// VerifyFile checks a file's BatchSignature against this signer's key: did
// this installation write the header and token(s) exactly as they are? It
// does not check the MACs or need the password (use Read for that).
func (s *Signer) VerifyFile(data []byte) error {
	d, err := locate(data)
	if err != nil {
		return err
	}
	n := d.trailer.find("BatchSignature")
	if n == nil {
		return &Error{Kind: KindMissingElement, Element: "BatchSignature", Token: -1, Detail: "the file is not signed"}
	}
	sig, err := decodeB64(n.content)
	if err != nil {
		return &Error{Kind: KindSignatureFailed, Token: -1, Detail: "BatchSignature is not valid base64"}
	}
	buf, err := sigInput(d.header, d.tokens)
	if err != nil {
		return &Error{Kind: KindSignatureFailed, Token: -1, Detail: err.Error()}
	}
	digest := sha1.Sum(buf)
	if err := rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA1, digest[:], sig); err != nil {
		return &Error{Kind: KindSignatureFailed, Token: -1,
			Detail: "the signature does not match this installation's key: the file was changed or written elsewhere"}
	}
	return nil
}
