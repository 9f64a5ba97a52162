package sdtid

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"sync"
)

// IV constants of sdtid-format.md 2.1.
var (
	ivHeaderMAC = [16]byte{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c}
	ivTokenMAC  = [16]byte{0x1b, 0xb6, 0x7a, 0xe8, 0x58, 0x4c, 0xaa, 0x73, 0xb2, 0x57, 0x42, 0xd7, 0x07, 0x8b, 0x83, 0xb8}
	ivTokenEnc  = [16]byte{0x16, 0xa0, 0x9e, 0x66, 0x7f, 0x3b, 0xcc, 0x90, 0x8b, 0x2f, 0xb1, 0x36, 0x6e, 0xa9, 0x57, 0xd3}
)

func newAES(key [16]byte) cipher.Block {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // unreachable: the key is always 16 bytes
	}
	return b
}

func aesBlock(key [16]byte, in [16]byte) [16]byte {
	var out [16]byte
	newAES(key).Encrypt(out[:], in[:])
	return out
}

// cbcMAC is the plain CBC-MAC of 2.1: zero-padded last chunk, no length.
func cbcMAC(b cipher.Block, iv [16]byte, data []byte) [16]byte {
	state := iv
	for len(data) > 0 {
		n := min(16, len(data))
		for i := 0; i < n; i++ {
			state[i] ^= data[i]
		}
		b.Encrypt(state[:], state[:])
		data = data[n:]
	}
	return state
}

// PasswordKey computes K0 of sdtid-format.md 2.2, the expensive part of the
// key derivation (1000 CBC-MACs). password is used as it is: pass the trimmed
// Origin for a file without a password. dest and name are trimmed here, as
// stoken does. K0 depends on nothing else, so it can be shared by every file
// with the same password, Dest and Name (see KeyCache).
func PasswordKey(password, dest, name string) [16]byte {
	var key [16]byte
	field(key[:], trimC(name))
	var buf [80]byte
	field(buf[0:32], password)
	field(buf[32:64], trimC(dest))
	b := newAES(key)
	// The counter sits in the last 16-byte chunk, so the CBC state after the
	// first four chunks is the same in all 1000 rounds: compute it once and
	// do one AES per round instead of five. Same result, 5x less work.
	s4 := cbcMAC(b, [16]byte{}, buf[:64])
	var k0, x [16]byte
	for i := 0; i < 1000; i++ {
		x = s4
		x[14] ^= byte(i >> 8)
		x[15] ^= byte(i)
		b.Encrypt(x[:], x[:])
		for j := range k0 {
			k0[j] ^= x[j]
		}
	}
	return k0
}

// keys are the per-token keys of 2.2.
type keys struct {
	K0, BK, HeaderMAC, TokenMAC, TokenEnc [16]byte
}

func deriveKeys(k0 [16]byte, name, sn string, secret [16]byte) keys {
	name, sn = trimC(name), trimC(sn)
	var in [16]byte
	field(in[0:8], "Secret")
	field(in[8:16], name)
	bk := aesBlock(k0, in)
	for i := range bk {
		bk[i] ^= secret[i]
	}
	b := newAES(bk)
	derive := func(label, s string, iv [16]byte) [16]byte {
		var buf [64]byte
		field(buf[0:32], label)
		field(buf[32:64], s)
		return cbcMAC(b, iv, buf[:])
	}
	return keys{
		K0:        k0,
		BK:        bk,
		HeaderMAC: derive("BatchMAC", name, ivHeaderMAC),
		TokenMAC:  derive("TokenMAC", sn, ivTokenMAC),
		TokenEnc:  derive("TokenEncrypt", sn, ivTokenEnc),
	}
}

// cryptSeed encrypts or decrypts (the same operation, 2.6) a seed.
func cryptSeed(k keys, sn string, seed [16]byte) [16]byte {
	var in [16]byte
	field(in[0:8], trimC(sn))
	field(in[8:16], "Seed")
	ks := aesBlock(k.TokenEnc, in)
	for i := range seed {
		seed[i] ^= ks[i]
	}
	return seed
}

// KeyCache remembers K0 per (password, Dest, Name), so that a job writing
// many files with one password pays the 1000-round derivation once. It is
// safe for concurrent use. Entries are indexed by a SHA-256 of the inputs,
// never by the password itself, but each K0 opens every file of its batch:
// keep the cache no longer than the job (Clear, or drop it).
type KeyCache struct {
	mu sync.Mutex
	m  map[[32]byte][16]byte
}

// keyCacheMax bounds the cache; a job uses one or a few passwords, and a
// per-file password gains nothing from caching.
const keyCacheMax = 256

// NewKeyCache returns an empty cache.
func NewKeyCache() *KeyCache { return &KeyCache{m: make(map[[32]byte][16]byte)} }

// Get returns PasswordKey(password, dest, name), computing it on a miss.
func (c *KeyCache) Get(password, dest, name string) [16]byte {
	h := sha256.New()
	var buf [80]byte
	field(buf[0:32], password)
	field(buf[32:64], trimC(dest))
	field(buf[64:80], trimC(name))
	h.Write(buf[:])
	var id [32]byte
	h.Sum(id[:0])
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = PasswordKey(password, dest, name)
	c.mu.Lock()
	if len(c.m) >= keyCacheMax {
		clear(c.m)
	}
	c.m[id] = k
	c.mu.Unlock()
	return k
}

// Clear forgets every cached key.
func (c *KeyCache) Clear() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
