package inventory

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/store"
)

// Import benchmarks. The input is realistic: SDTID batch files written by
// the sdtid writer, password protected, each holding as many TKN as fit in
// stoken's 64 KiB (benchTokensPerFile), so every token is parsed, has both
// MACs checked and its seed decrypted, is sealed with the store key and is
// stored, all in one import. Writing the corpus costs one RSA signature
// per token (about 250 µs), so it is made once per process, outside the
// timer, on every core.

const (
	benchTokensPerFile = 100
	benchPassword      = "import password 2025"
)

// benchCorpus is the generated input, grown on demand and shared by the
// benchmarks of one process.
var benchCorpus struct {
	mu     sync.Mutex
	signer *sdtid.Signer
	keys   *sdtid.KeyCache
	files  []NamedData
}

// batchFile writes one SDTID file holding a TKN per serial: single-token
// files written with one shared Secret and header have identical headers,
// so their TKN elements can be put side by side (sdtid-format.md 1.8).
func batchFile(w *sdtid.Writer, serials []string) ([]byte, error) {
	secret := [16]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6}
	batch := sdtid.Batch{
		Origin: "ACME Corp", Dest: "VPN Users", Name: "ACME-2025",
		Birth: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Death: time.Date(2030, 6, 30, 0, 0, 0, 0, time.UTC),
		Digits: 8, IntervalSeconds: 60, AddPIN: true,
	}
	var head, tail []byte
	var body bytes.Buffer
	for _, sn := range serials {
		out, err := w.Write(sdtid.WriteInput{Batch: batch, Password: benchPassword, Secret: &secret,
			Token: sdtid.TokenSpec{Serial: sn, FirstName: "First", LastName: "Last", Login: "user" + sn}})
		if err != nil {
			return nil, err
		}
		i := bytes.LastIndexByte(out.Data[:bytes.Index(out.Data, []byte("<TKN>"))], '\n') + 1
		j := bytes.Index(out.Data, []byte("</TKN>")) + len("</TKN>\n")
		if head == nil {
			head, tail = out.Data[:i], out.Data[j:]
		}
		body.Write(out.Data[i:j])
	}
	return append(append(head, body.Bytes()...), tail...), nil
}

// corpus returns n tokens' worth of batch files (n a multiple of
// benchTokensPerFile), writing the ones not written yet on every core.
func corpus(b *testing.B, n int) []NamedData {
	b.Helper()
	c := &benchCorpus
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.signer == nil {
		signer, err := sdtid.GenerateSigner("swtoken bench")
		if err != nil {
			b.Fatal(err)
		}
		c.signer, c.keys = signer, sdtid.NewKeyCache()
	}
	have, want := len(c.files), n/benchTokensPerFile
	if have >= want {
		return c.files[:want]
	}
	c.files = append(c.files, make([]NamedData, want-have)...)
	errs := make(chan error, want-have)
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			w := &sdtid.Writer{Signer: c.signer, Keys: c.keys}
			for f := range next {
				serials := make([]string, benchTokensPerFile)
				for k := range serials {
					serials[k] = fmt.Sprintf("%012d", 200000000000+f*benchTokensPerFile+k)
				}
				data, err := batchFile(w, serials)
				if err == nil && len(data) > MaxTokenFileSize {
					err = fmt.Errorf("a batch of %d tokens is %d bytes, over the 64 KiB limit", benchTokensPerFile, len(data))
				}
				if err != nil {
					errs <- err
					continue
				}
				c.files[f] = NamedData{Name: fmt.Sprintf("batch-%04d.sdtid", f), Data: data}
			}
		})
	}
	for f := have; f < want; f++ {
		next <- f
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		c.files = c.files[:have]
		b.Fatal(err)
	}
	return c.files[:want]
}

// BenchmarkImportTokenFiles imports n tokens from batch files into an empty
// store in one ImportTokenFiles call: parse, verify, decrypt, seal, store,
// audit. ns/op is for the whole import; tokens/s is reported too.
func BenchmarkImportTokenFiles(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			files := corpus(b, n)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				st := openStore(b)
				b.StartTimer()
				res, err := ImportTokenFiles(st, files, TokenFileOptions{Password: benchPassword}, store.ImportOptions{})
				if err != nil || res.Imported != n {
					b.Fatalf("%+v, %v", res.Imported, err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkParseTokenFiles10k is the parse + seal half alone (no store
// write), for the per-token cost.
func BenchmarkParseTokenFiles10k(b *testing.B) {
	const n = 10_000
	files := corpus(b, n)
	st := openStore(b)
	b.ReportAllocs()
	for b.Loop() {
		toks, rejs, err := ParseTokenFiles(st, files, TokenFileOptions{Password: benchPassword})
		if err != nil || len(toks) != n || len(rejs) != 0 {
			b.Fatal(len(toks), rejs, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/token")
}

// TestBenchCorpusIsImportable keeps the benchmark input honest in normal
// test runs: a few batch files written the way the benchmark writes them
// import with every token and seed.
func TestBenchCorpusIsImportable(t *testing.T) {
	signer, err := sdtid.GenerateSigner("swtoken bench")
	if err != nil {
		t.Fatal(err)
	}
	w := &sdtid.Writer{Signer: signer, Keys: sdtid.NewKeyCache()}
	serials := make([]string, benchTokensPerFile)
	for k := range serials {
		serials[k] = fmt.Sprintf("%012d", 200000000000+k)
	}
	data, err := batchFile(w, serials)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > MaxTokenFileSize {
		t.Fatalf("a batch of %d tokens is %d bytes, over the 64 KiB limit: lower benchTokensPerFile", benchTokensPerFile, len(data))
	}
	st := openStore(t)
	res, err := ImportTokenFiles(st, []NamedData{{Name: "batch.sdtid", Data: data}}, TokenFileOptions{Password: benchPassword}, store.ImportOptions{})
	if err != nil || res.Imported != benchTokensPerFile {
		t.Fatalf("%+v, %v", res, err)
	}
	t.Logf("%d tokens in %d bytes", benchTokensPerFile, len(data))
}
