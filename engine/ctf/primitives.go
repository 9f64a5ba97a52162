package ctf

import (
	"crypto/aes"
	"encoding/binary"
)

// aesScratch holds an AES-128 block encryption's key, input and output.
// crypto/aes takes them as slices through an interface, so they escape to
// the heap: one scratch per hash instead of three allocations per block
// (SHASH runs a dozen blocks per string). wipe clears it after use.
type aesScratch struct{ key, in, out [16]byte }

func (s *aesScratch) encrypt(key, block [16]byte) [16]byte {
	s.key, s.in = key, block
	c, err := aes.NewCipher(s.key[:])
	if err != nil {
		panic(err) // a 16-byte key cannot fail
	}
	c.Encrypt(s.out[:], s.in[:])
	return s.out
}

func (s *aesScratch) wipe() { *s = aesScratch{} }

// aesEncrypt is one AES-128 block encryption (ctf-format.md §1).
func aesEncrypt(key, block [16]byte) [16]byte {
	s := new(aesScratch)
	defer s.wipe()
	return s.encrypt(key, block)
}

func aesDecrypt(key, block [16]byte) [16]byte {
	s := new(aesScratch)
	defer s.wipe()
	s.key, s.in = key, block
	c, err := aes.NewCipher(s.key[:])
	if err != nil {
		panic(err)
	}
	c.Decrypt(s.out[:], s.in[:])
	return s.out
}

// shashStep is H <- AES-128(K, H) xor H.
func shashStep(s *aesScratch, k, h [16]byte) [16]byte {
	e := s.encrypt(k, h)
	for i := range e {
		e[i] ^= h[i]
	}
	return e
}

// shash is the SecurID AES hash SHASH of §3.1.
func shash(m []byte) [16]byte {
	s := new(aesScratch)
	defer s.wipe()
	var h [16]byte
	for i := range h {
		h[i] = 0xff
	}
	n := 0
	rest := m
	for {
		var k [16]byte
		if len(rest) > 16 {
			copy(k[:], rest[:16])
			rest = rest[16:]
			h = shashStep(s, k, h)
			n++
			continue
		}
		copy(k[:], rest)
		h = shashStep(s, k, h)
		n++
		break
	}
	if n%2 == 0 {
		h = shashStep(s, [16]byte{}, h)
	}
	var l [16]byte
	binary.BigEndian.PutUint64(l[8:], uint64(len(m))*8)
	h = shashStep(s, l, h)
	return shashStep(s, h, h)
}

// smac15 is the first 15 bits of SHASH (§3.2).
func smac15(m []byte) uint16 {
	h := shash(m)
	return uint16(h[0])<<7 | uint16(h[1]>>1)
}

// bits is a big-endian bit string (bit 0 = MSB of byte 0).
type bits []byte

func (b bits) put(pos, width int, v uint64) {
	for i := 0; i < width; i++ {
		bit := (v >> uint(width-1-i)) & 1
		p := pos + i
		if bit != 0 {
			b[p/8] |= 0x80 >> uint(p%8)
		} else {
			b[p/8] &^= 0x80 >> uint(p%8)
		}
	}
}

func (b bits) get(pos, width int) uint64 {
	var v uint64
	for i := 0; i < width; i++ {
		p := pos + i
		v = v<<1 | uint64(b[p/8]>>uint(7-p%8)&1)
	}
	return v
}

// packDigits writes n/3 digits for the first n bits of b (§3.3).
func packDigits(dst []byte, b bits, n int) []byte {
	for k := 0; k < n/3; k++ {
		dst = append(dst, '0'+byte(b.get(3*k, 3)))
	}
	return dst
}

// unpackDigits reads each character as (c-'0')&7 into a bit string.
func unpackDigits(s string) bits {
	b := make(bits, (len(s)*3+7)/8)
	for k := 0; k < len(s); k++ {
		b.put(3*k, 3, uint64((s[k]-'0')&7))
	}
	return b
}

func digits15(dst []byte, v uint16) []byte {
	return append(dst, '0'+byte(v>>12&7), '0'+byte(v>>9&7), '0'+byte(v>>6&7), '0'+byte(v>>3&7), '0'+byte(v&7))
}
