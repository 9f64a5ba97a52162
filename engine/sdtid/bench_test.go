package sdtid

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"io"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func benchInput(i int, password string) WriteInput {
	return WriteInput{
		Batch: Batch{Origin: "ACME Corp", Dest: "VPN Users", Name: "ACME-2025", Digits: 8, IntervalSeconds: 60, AddPIN: true,
			Birth: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Death: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		Token: TokenSpec{Serial: strconv.Itoa(100000000000 + i), FirstName: "Alice", LastName: "Smith", Login: "asmith",
			DeviceSerialNumber: "a01c4380-fc01-4df0-b113-7fb98ec74694", Nickname: "Alice phone"},
		Password: password,
	}
}

// BenchmarkWriteSharedPassword: one password for the whole job, K0 cached.
// Every file still gets a fresh Secret and seed.
func BenchmarkWriteSharedPassword(b *testing.B) {
	w := &Writer{Signer: signer(b), Rand: rand.New(rand.NewSource(1)), Keys: NewKeyCache()}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := w.Write(benchInput(i, "shared-job-password")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePerFilePassword: a different password per file, so K0 is
// derived for every file (no cache, as a cache could not help).
func BenchmarkWritePerFilePassword(b *testing.B) {
	w := &Writer{Signer: signer(b), Rand: rand.New(rand.NewSource(1))}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := w.Write(benchInput(i, "pw-"+strconv.Itoa(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteNoPassword: the Origin is the key; without a cache K0 is
// derived per file, as in WritePerFilePassword.
func BenchmarkWriteNoPassword(b *testing.B) {
	w := &Writer{Signer: signer(b), Rand: rand.New(rand.NewSource(1))}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := w.Write(benchInput(i, "")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRSASign1024 is the floor of Write: one PKCS#1 v1.5 SHA-1 signature.
func BenchmarkRSASign1024(b *testing.B) {
	s := signer(b)
	digest := sha1.Sum(bytes.Repeat([]byte("x"), 1035))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA1, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeflateOneFile: compressing one written file as a ZIP entry.
func BenchmarkDeflateOneFile(b *testing.B) {
	w := &Writer{Signer: signer(b), Rand: rand.New(rand.NewSource(1))}
	out, err := w.Write(benchInput(0, "pw"))
	if err != nil {
		b.Fatal(err)
	}
	zw := zip.NewWriter(io.Discard)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.DefaultCompression)
	})
	b.SetBytes(int64(len(out.Data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f, err := zw.Create("t" + strconv.Itoa(i) + ".sdtid")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(out.Data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordKey: the 1000-round CBC-MAC K0.
func BenchmarkPasswordKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		PasswordKey("correct horse battery staple", "VPN Users", "ACME-2025")
	}
}

func BenchmarkRead(b *testing.B) {
	data := readVector(b, "f03-8d-30s-addpin-pw.sdtid")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(data, "Tr0ub4dor&3"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCode(b *testing.B) {
	f, err := Read(readVector(b, "f01-8d-60s-addpin-nopw.sdtid"), "")
	if err != nil {
		b.Fatal(err)
	}
	tok := f.Tokens[0]
	at := time.Unix(1735689599, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tok.Code(at, "1234"); err != nil {
			b.Fatal(err)
		}
	}
}

// pooledFlate returns its flate.Writer to a pool on Close: a fresh
// flate.Writer costs about 800 KB of allocation, more than the file itself.
type pooledFlate struct {
	*flate.Writer
	pool *sync.Pool
}

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	p.pool.Put(p.Writer)
	return err
}

// BenchmarkDeflateOneFilePooled is BenchmarkDeflateOneFile with the
// compressor state reused between entries, as the job engine should do.
func BenchmarkDeflateOneFilePooled(b *testing.B) {
	w := &Writer{Signer: signer(b), Rand: rand.New(rand.NewSource(1))}
	out, err := w.Write(benchInput(0, "pw"))
	if err != nil {
		b.Fatal(err)
	}
	pool := &sync.Pool{New: func() any { fw, _ := flate.NewWriter(nil, flate.DefaultCompression); return fw }}
	zw := zip.NewWriter(io.Discard)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw := pool.Get().(*flate.Writer)
		fw.Reset(out)
		return pooledFlate{fw, pool}, nil
	})
	b.SetBytes(int64(len(out.Data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f, err := zw.Create("t" + strconv.Itoa(i) + ".sdtid")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Write(out.Data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteParallel: files per second on all cores with a shared
// password (the RSA signature is the bottleneck and parallelises).
func BenchmarkWriteParallel(b *testing.B) {
	keys := NewKeyCache()
	s := signer(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &Writer{Signer: s, Rand: rand.New(rand.NewSource(n.Add(1))), Keys: keys}
		for pb.Next() {
			if _, err := w.Write(benchInput(int(n.Add(1)), "shared-job-password")); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
