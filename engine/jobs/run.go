package jobs

import (
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// item is one file to write, prepared in serial order by the feeder.
type item struct {
	idx      int
	serial   string
	name     string           // entry name in the ZIP
	in       sdtid.WriteInput // file jobs
	ctf      ctfItem          // CTF jobs
	seed     [16]byte
	secret   [16]byte // file jobs: the batch Secret; CTF jobs: the v3 nonce
	password string
}

// entry is one written, compressed, sealed file for the ordered writer.
type entry struct {
	idx    int
	serial string
	name   string
	buf    *[]byte // the deflated file, from cbufPool
	crc    uint32
	size   uint64
	sealed []byte // the new seed, sealed for the token
	stored bool   // buf is the file as is (method 0), not deflated
	// CTF jobs: the QR image (stored as is; "" name = none), and the
	// string with the credentials row's other cells.
	pngName                  string
	png                      []byte
	pngCRC                   uint32
	ctfString, userID, email string
}

// cbufPool recycles the buffers that carry deflated files from the workers
// to the ordered writer.
var cbufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// sealedLen is the length of a sealed 16-byte seed (version, nonce, tag).
const sealedLen = 1 + 12 + 16 + 16

// seedSpool keeps every token's serial and new sealed seed until the
// commit, 57 bytes per token, in a temporary file next to the output
// (outputs/<id>.zip.seeds.tmp, mode 0600) rather than in memory, so the
// run's memory does not grow with the job. The seeds are sealed with the
// store key, as in the store itself; the file is removed when the job ends
// and by Recover (like every *.tmp).
type seedSpool struct {
	f *os.File
	w *bufio.Writer
	n int
}

const spoolRec = model.SoftwareSerialLen + sealedLen

func newSeedSpool(path string) (*seedSpool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	return &seedSpool{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (a *seedSpool) add(serial string, sealed []byte) error {
	if len(serial) != model.SoftwareSerialLen || len(sealed) != sealedLen {
		return fmt.Errorf("token %s: unexpected serial or sealed seed length", serial)
	}
	a.w.WriteString(serial)
	_, err := a.w.Write(sealed)
	a.n++
	return err
}

// all flushes the spool and yields its records in order; err says whether
// reading them back failed (the commit then sees too few seeds and fails).
func (a *seedSpool) all(err *error) (iter.Seq2[string, []byte], error) {
	if e := a.w.Flush(); e != nil {
		return nil, e
	}
	if _, e := a.f.Seek(0, io.SeekStart); e != nil {
		return nil, e
	}
	return func(yield func(string, []byte) bool) {
		r := bufio.NewReaderSize(a.f, 64<<10)
		var rec [spoolRec]byte
		for range a.n {
			if _, e := io.ReadFull(r, rec[:]); e != nil {
				*err = e
				return
			}
			if !yield(string(rec[:model.SoftwareSerialLen]), rec[model.SoftwareSerialLen:]) {
				return
			}
		}
	}, nil
}

func (a *seedSpool) remove() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// Maximum dates a token file can carry (engine/sdtid refuses others).
var (
	maxFileDate = time.Date(2038, 1, 18, 0, 0, 0, 0, time.UTC)
	minBirth    = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// OutputPath is where a job's ZIP lives in the data directory.
func OutputPath(st *store.Store, seq uint64) string {
	return filepath.Join(st.OutputsDir(), strconv.FormatUint(seq, 10)+".zip")
}

// EntryName is a token file's name in the ZIP: <user-id>_<serial>.sdtid,
// with every character outside [A-Za-z0-9.@+-] replaced by "_" and no
// leading dot, so no user ID can make a path, a hidden file or a name that
// some unzip tool mangles.
func EntryName(userID, serial string) string { return entryName(userID, serial, ".sdtid") }

// entryName is <user-id>_<serial><suffix>, the user ID made safe
// (EntryName), in one allocation when the ID needs no change.
func entryName(userID, serial, suffix string) string {
	safe := true
	for i := 0; i < len(userID) && safe; i++ {
		safe = entrySafe(userID[i], i)
	}
	if safe {
		return userID + "_" + serial + suffix
	}
	b := make([]byte, 0, len(userID)+1+len(serial)+len(suffix))
	for i, r := range userID {
		if r < 0x80 && entrySafe(byte(r), i) {
			b = append(b, byte(r))
		} else {
			b = append(b, '_')
		}
	}
	b = append(b, '_')
	b = append(b, serial...)
	b = append(b, suffix...)
	return string(b)
}

// entrySafe reports whether a user ID's byte at i is kept in a file name.
func entrySafe(c byte, i int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '@' || c == '+' || c == '-' || c == '.' && i > 0
}

// Prepare loads the installation signing key, creating it on first use. The
// key is made once per installation (an RSA-1024 key takes 10-50 ms here);
// calling Prepare before a job keeps that one-time cost out of the job.
func (e *Engine) Prepare() error {
	origin := e.st.InstallName()
	if e.opts.originOverride != "" {
		origin = e.opts.originOverride
	}
	_, err := e.signerFor(origin)
	return err
}

// signerFor loads the installation signing key, generating and storing it
// on first use.
func (e *Engine) signerFor(origin string) (*sdtid.Signer, error) {
	e.signerOnce.Lock()
	defer e.signerOnce.Unlock()
	if e.signer != nil {
		return e.signer, nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		keyDER, certDER, err := e.st.SigningKey()
		if err == nil {
			s, err := sdtid.NewSigner(keyDER, certDER)
			clear(keyDER)
			if err != nil {
				return nil, fmt.Errorf("installation signing key: %w", err)
			}
			e.signer = s
			return s, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s, err := sdtid.GenerateSigner(origin)
		if err != nil {
			return nil, err
		}
		keyDER = s.KeyDER()
		err = e.st.SetSigningKey(keyDER, s.CertDER())
		clear(keyDER)
		if errors.Is(err, store.ErrSigningKeyExists) {
			continue // someone stored one first: use theirs
		}
		if err != nil {
			return nil, err
		}
		e.signer = s
		return s, nil
	}
	return nil, errors.New("installation signing key: could not load or create it")
}

// hashCounter counts and hashes what is written through it.
type hashCounter struct {
	w    io.Writer
	h    hash.Hash
	n    int64
	sync *bgSync
}

func (c *hashCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if c.sync != nil {
		c.sync.wrote(n)
	}
	return n, err
}

// manifestHeader names manifest.csv's columns. The token files do not hold
// the job's name (their batch Name is its batch id), so every row names the
// job and its batch id (product.md: the job name goes into the manifest).
var manifestHeader = []string{"serial", "user_id", "first_name", "last_name", "file", "binding", "password_mode", "job_name", "batch_id"}

// manifestWriter builds manifest.csv as rows come, compressed into a
// temporary file (outputs/<id>.zip.manifest.tmp; about 2 MB for 100,000
// tokens), so it can be added as the ZIP's last entry without a second
// pass over the store and without holding it in memory. It is deflated at
// BestSpeed: it is not part of the floor, and DefaultCompression cost about
// 5 µs per row on the feeder for a few hundred KB less at 100,000 rows.
type manifestWriter struct {
	f    *os.File
	bw   *bufio.Writer
	cw   countWriter
	fw   *flate.Writer
	crc  hash.Hash32
	size uint64
	csv  *csv.Writer
}

type countWriter struct {
	w io.Writer
	n uint64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += uint64(n)
	return n, err
}

func newManifest(path string, header []string) (*manifestWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	m := &manifestWriter{f: f, crc: crc32.NewIEEE()}
	m.bw = bufio.NewWriterSize(f, 64<<10)
	m.cw.w = m.bw
	fw, err := flate.NewWriter(&m.cw, flate.BestSpeed)
	if err != nil {
		m.remove()
		return nil, err
	}
	m.fw = fw
	m.csv = csv.NewWriter(m)
	if err := m.csv.Write(header); err != nil {
		m.remove()
		return nil, err
	}
	return m, nil
}

func (m *manifestWriter) Write(p []byte) (int, error) {
	m.crc.Write(p)
	m.size += uint64(len(p))
	return m.fw.Write(p)
}

// finish completes the compressed manifest and rewinds it for reading.
func (m *manifestWriter) finish() error {
	m.csv.Flush()
	if err := m.csv.Error(); err != nil {
		return err
	}
	if err := m.fw.Close(); err != nil {
		return err
	}
	if err := m.bw.Flush(); err != nil {
		return err
	}
	_, err := m.f.Seek(0, io.SeekStart)
	return err
}

func (m *manifestWriter) remove() {
	m.f.Close()
	os.Remove(m.f.Name())
}

// csvSafe defuses spreadsheet formulas: a cell starting with = + - @ (or a
// tab or CR) is prefixed with an apostrophe, so a crafted user name cannot
// run as a formula when the admin opens the manifest.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jobContext is what every file of a job shares.
type jobContext struct {
	job      model.Job
	file     model.FileSettings // the profile's settings frozen at submit
	origin   string
	password string // the admin password, if the mode has one
	at       time.Time
}

// prepare builds the file for one selected token, or says why the token
// can no longer be distributed (it changed since submit).
func (jc *jobContext) prepare(jt store.JobToken) (item, error) {
	t := jt.Token
	if !jt.Found {
		return item{}, fmt.Errorf("token %s no longer exists", jt.Serial)
	}
	if r := jc.job.Spec.Eligibility(t, jc.password, jc.at); r != model.Eligible {
		return item{}, fmt.Errorf("token %s changed since the job was submitted: it is now %s", t.Serial, r.Label())
	}
	if !jt.UserFound {
		return item{}, fmt.Errorf("token %s: its user %s no longer exists", t.Serial, t.AssignedUser)
	}
	u := jt.User
	death := model.Date(t.Death)
	if death.After(maxFileDate) {
		death = maxFileDate // token readers' 32-bit clocks end in 2038
	}
	birth := model.Date(t.Birth)
	if !birth.IsZero() && birth.Before(minBirth) {
		birth = minBirth
	}
	f := jc.file
	if jc.job.Spec.Kind == model.JobKindCTF {
		it := item{
			serial:   t.Serial,
			name:     CTFEntryName(u.ID, t.Serial),
			password: model.EffectivePassword(jc.job.Spec.PasswordMode, u.ID, jc.password),
			ctf: ctfItem{
				tok: ctf.Token{
					Serial: t.Serial, Digits: f.Digits, Interval: f.IntervalSeconds,
					Death: death, Alg128: true, TimeDerived: true,
				},
				deviceID: jc.job.Spec.Binding.Value, userID: u.ID, email: u.Email,
			},
		}
		if f.AddPIN {
			it.ctf.tok.PINMode = ctf.PINAdd
		}
		if jc.job.Spec.WantsQRImages() {
			it.ctf.pngName = QREntryName(u.ID, t.Serial)
		}
		return it, nil
	}
	return item{
		serial:   t.Serial,
		name:     EntryName(u.ID, t.Serial),
		password: model.EffectivePassword(jc.job.Spec.PasswordMode, u.ID, jc.password),
		in: sdtid.WriteInput{
			Batch: sdtid.Batch{
				Origin: jc.origin, Name: jc.job.BatchID, // Dest stays N/A
				FirstToken: t.Serial, LastToken: t.Serial, NumTokens: 1,
				Birth: birth, Death: death,
				Digits: f.Digits, IntervalSeconds: f.IntervalSeconds, AddPIN: f.AddPIN,
			},
			Token: sdtid.TokenSpec{
				Serial: t.Serial, FirstName: u.FirstName, LastName: u.LastName, Login: u.ID,
				DeviceSerialNumber: jc.job.Spec.Binding.Value, Nickname: jc.job.Spec.Nickname,
			},
		},
	}, nil
}

// execute writes the job's ZIP and commits it. It changes nothing in the
// store unless it returns nil.
func (e *Engine) execute(ctx context.Context, job model.Job) (model.Job, error) {
	st := e.st
	file := job.File
	if file.IsZero() {
		// A job submitted before the settings were frozen with it: the
		// profile as it is now.
		prec, err := st.Profile(job.Spec.Profile)
		if err != nil {
			return job, fmt.Errorf("profile %q: %w", job.Spec.Profile, err)
		}
		if k, err := model.JobKindFor(prec.Name, prec.DeliveryMethod); err != nil || k != job.Spec.Kind.OrFiles() {
			return job, fmt.Errorf("profile %q now delivers by %s; this job is %q", prec.Name, prec.DeliveryMethod, job.Spec.Kind.Label())
		}
		file = prec.FileSettings()
	}
	var err error
	jc := &jobContext{job: job, file: file, origin: st.InstallName(), at: e.now()}
	if e.opts.originOverride != "" {
		jc.origin = e.opts.originOverride
	}
	if job.Spec.PasswordMode.NeedsAdminPassword() {
		err := store.Patiently(ctx, func() (err error) {
			jc.password, err = st.JobPassword(job.Seq)
			return err
		})
		if err != nil {
			return job, err
		}
		if jc.password == "" {
			return job, errors.New("the job's password is missing (it is kept only until the job ends)")
		}
	}
	var signer *sdtid.Signer
	switch job.Spec.Kind.OrFiles() {
	case model.JobKindFiles:
		if signer, err = e.signerFor(jc.origin); err != nil {
			return job, err
		}
	case model.JobKindCTF:
	default:
		return job, fmt.Errorf("unknown job kind %q", job.Spec.Kind)
	}
	restoreGC := func() {}
	if e.opts.GCPercent > 0 {
		// The heap the collector last measured may still hold the
		// submit's garbage (13 MB at 100,000 tokens), which a higher
		// percentage alone would let grow to 5 times that: the soft
		// memory limit keeps the run's heap small meanwhile.
		oldLimit := debug.SetMemoryLimit(-1)
		if oldLimit > runMemoryLimit {
			debug.SetMemoryLimit(runMemoryLimit)
		}
		oldPercent := debug.SetGCPercent(e.opts.GCPercent)
		restoreGC = sync.OnceFunc(func() {
			debug.SetGCPercent(oldPercent)
			debug.SetMemoryLimit(oldLimit)
		})
		defer restoreGC()
	}

	final := OutputPath(st, job.Seq)
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return job, fmt.Errorf("create the output file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	var fileW io.Writer = f
	if e.opts.WrapOutput != nil {
		fileW = e.opts.WrapOutput(f)
	}
	bs := &bgSync{f: f}
	bw := bufio.NewWriterSize(fileW, 256<<10)
	hc := &hashCounter{w: bw, h: sha256.New(), sync: bs}
	zw, err := newZipWriter(hc, final+".cd.tmp", jc.at)
	if err != nil {
		return job, outputErr(err)
	}
	defer zw.abort()
	spool, err := newSeedSpool(final + ".seeds.tmp")
	if err != nil {
		return job, outputErr(err)
	}
	defer spool.remove()

	werr := e.writeEntries(ctx, jc, signer, zw, spool, final+".manifest.tmp")
	if werr == nil {
		werr = zw.close()
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if serr := bs.wait(); werr == nil {
		werr = serr
	}
	if werr != nil {
		return job, outputErr(werr)
	}
	if err := f.Sync(); err != nil {
		return job, outputErr(err)
	}
	if err := f.Close(); err != nil {
		return job, outputErr(err)
	}
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return job, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return job, outputErr(err)
	}
	ok = true
	if err := store.SyncDir(filepath.Dir(final)); err != nil {
		os.Remove(final)
		return job, outputErr(err)
	}
	if e.opts.BeforeCommit != nil {
		e.opts.BeforeCommit(job)
	}
	var readErr error
	// The run's garbage goes before the commit, whose transaction is the
	// largest thing the job holds (bbolt keeps every changed record and
	// page until it is written). The collector's setting is back to the
	// process's own before it, so the commit's heap grows as usual. A small
	// job's commit is small: the forced cycle (1-2 ms, 1% of a
	// 1,000-token job) is only worth it for large ones.
	restoreGC()
	if job.Total >= gcBeforeCommitMin {
		runtime.GC()
	}
	fs := jc.file
	_ = st.SetActivity(fmt.Sprintf("committing job %s (%s)", job.Name, model.Plural(job.Total, "token")))
	// Another process may hold the store for longer than the lock wait (a
	// big import, another store's commit): the commit waits for it rather
	// than throw the job away (a refused hold changed nothing). A cancel
	// meanwhile ends the wait.
	var done model.Job
	err = store.Patiently(ctx, func() error {
		seeds, err := spool.all(&readErr)
		if err != nil {
			return fmt.Errorf("reading the new seeds back: %w", err)
		}
		done, err = st.CommitJob(store.JobCommit{
			Seq: job.Seq, Output: final, Size: hc.n, SHA256: hex.EncodeToString(hc.h.Sum(nil)),
			Seeds: seeds, Digits: fs.Digits, IntervalSeconds: fs.IntervalSeconds, AddPIN: fs.AddPIN,
		})
		return err
	})
	if err == nil && readErr != nil {
		err = readErr // unreachable: a short read leaves too few seeds and the commit fails
	}
	if err != nil {
		// Not committed: the file hands out seeds the store does not
		// have, so it must not stay.
		os.Remove(final)
		if readErr != nil {
			err = fmt.Errorf("%w (reading the new seeds back: %v)", err, readErr)
		}
		return job, fmt.Errorf("recording the completed job: %w", err)
	}
	return done, nil
}

// gcBeforeCommitMin is the job size from which a collection runs before the
// commit (at 100,000 tokens it keeps the commit's peak at about 60 MB).
const gcBeforeCommitMin = 20_000

// runMemoryLimit is the soft memory limit while a job writes its files when
// Options.GCPercent is set: the run's live heap is a few MB, flat with the
// job's size.
const runMemoryLimit = 32 << 20

// bgSync flushes the output file to disk in the background every
// bgSyncEvery bytes, so that the final fsync has little left to write and
// the cores do not wait for the disk at the end of a large job.
type bgSync struct {
	f       *os.File
	pending int64
	running sync.WaitGroup
	mu      sync.Mutex
	busy    bool
	err     error
}

const bgSyncEvery = 32 << 20

func (b *bgSync) wrote(n int) {
	b.pending += int64(n)
	if b.pending < bgSyncEvery {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.busy {
		return
	}
	b.pending, b.busy = 0, true
	b.running.Add(1)
	go func() {
		defer b.running.Done()
		err := b.f.Sync()
		b.mu.Lock()
		b.busy = false
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}()
}

// wait waits for a background sync and returns the first error.
func (b *bgSync) wait() error {
	b.running.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// outputErr words a failure to write the ZIP.
func outputErr(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var pe *os.PathError
	if errors.As(err, &pe) || isNoSpace(err) {
		return fmt.Errorf("writing the output ZIP failed: %w (no token was changed)", err)
	}
	return err
}

// writeEntries is the pipeline: a feeder reads the frozen selection in
// serial order and draws each file's seed and Secret; Workers goroutines
// write, compress and seal; this goroutine writes the entries in serial
// order. At most window files are in flight, so memory does not grow with
// the job.
func (e *Engine) writeEntries(ctx context.Context, jc *jobContext, signer *sdtid.Signer, zw *zipWriter, spool *seedSpool, manifestPath string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	W := e.opts.Workers
	window := 16 * W
	slots := make(chan struct{}, window)
	work := make(chan item, 4*W)
	results := make(chan entry, 4*W)
	isCTF := jc.job.Spec.Kind == model.JobKindCTF
	header := manifestHeader
	if isCTF {
		header = ctfManifestHeader
	}
	mf, err := newManifest(manifestPath, header)
	if err != nil {
		return err
	}
	defer mf.remove()
	// A CTF job's credentials.csv: its rows hold the strings, so the
	// ordered writer adds them as the strings come.
	var cred *manifestWriter
	var credRow []string
	if isCTF {
		if cred, err = newManifest(strings.TrimSuffix(manifestPath, ".manifest.tmp")+".credentials.tmp", credentialsHeader); err != nil {
			return err
		}
		defer cred.remove()
		credRow = make([]string, 0, len(credentialsHeader))
	}
	ctfForm := model.CTFLabel(jc.job.Spec.CTFShape, jc.job.Spec.CTFForm)

	var wg sync.WaitGroup
	// Feeder.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		idx := 0
		mode := jc.job.Spec.PasswordMode
		binding := jc.job.Spec.Binding.String()
		var rnd [32]byte
		row := make([]string, 0, len(header))
		jobName := csvSafe(jc.job.Name)
		err := e.st.EachJobTokenPatiently(ctx, jc.job.Seq, func(jt store.JobToken) error {
			it, err := jc.prepare(jt)
			if err != nil {
				return err
			}
			it.idx = idx
			idx++
			// The Secret, then the seed: one read for both.
			if _, err := io.ReadFull(e.opts.Rand, rnd[:]); err != nil {
				return fmt.Errorf("random source: %w", err)
			}
			copy(it.secret[:], rnd[:16])
			copy(it.seed[:], rnd[16:])
			clear(rnd[:])
			u := jt.User
			if isCTF {
				row = append(row[:0], it.serial, csvSafe(u.ID), csvSafe(u.FirstName), csvSafe(u.LastName), csvSafe(jc.job.Spec.Nickname),
					it.name, it.ctf.pngName, ctfForm, binding, string(mode), jobName, jc.job.BatchID)
			} else {
				row = append(row[:0], it.serial, csvSafe(u.ID), csvSafe(u.FirstName), csvSafe(u.LastName), it.name, binding, string(mode), jobName, jc.job.BatchID)
			}
			if err := mf.csv.Write(row); err != nil {
				return err
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			select {
			case work <- it:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
		if err == nil && idx != jc.job.Total {
			err = fmt.Errorf("the job's selection holds %d tokens, expected %d", idx, jc.job.Total)
		}
		if err != nil {
			cancel(err)
		}
	}()

	// Workers.
	var keys *sdtid.KeyCache
	if !isCTF && !jc.job.Spec.PasswordMode.UsesUserID() {
		keys = sdtid.NewKeyCache() // one password (or the Origin) for every file
		defer keys.Clear()
	}
	var wwg sync.WaitGroup
	for range W {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			w := &sdtid.Writer{Signer: signer, Keys: keys, Now: e.opts.Now}
			var sw sliceWriter
			fw, _ := flate.NewWriter(&sw, flate.DefaultCompression)
			for it := range work {
				if ctx.Err() != nil {
					continue // drain so the feeder can finish
				}
				var ent entry
				var err error
				if isCTF {
					ent, err = e.writeOneCTF(jc, it)
				} else {
					ent, err = e.writeOne(w, fw, &sw, it)
				}
				clear(it.seed[:])
				clear(it.secret[:])
				if err != nil {
					cancel(err)
					continue
				}
				select {
				case results <- ent:
				case <-ctx.Done():
				}
				// A worker that neither blocks nor reaches a safe point
				// inside the signature keeps its P: the ordered writer
				// and the feeder, woken by the channels, would wait
				// until the window of files in flight is full and
				// every worker stalls. Yielding after each file lets
				// them run at once. A CTF string takes microseconds
				// and has no such loop: yielding after each would cost
				// more than it gives.
				if !isCTF {
					runtime.Gosched()
				}
			}
		}()
	}
	go func() {
		wwg.Wait()
		close(results)
	}()

	// Ordered writer.
	pending := map[int]entry{}
	next := 0
	var werr error
	lastEvent := time.Time{}
	activityEvery := time.Second
	lastActivity := time.Time{}
	for ent := range results {
		if werr != nil || ctx.Err() != nil {
			continue
		}
		pending[ent.idx] = ent
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			var err error
			if p.stored {
				err = zw.addStored(p.name, p.crc, *p.buf)
				clear(*p.buf) // the string, in clear when the mode has no password
			} else {
				err = zw.add(p.name, p.crc, *p.buf, p.size)
			}
			*p.buf = (*p.buf)[:0]
			cbufPool.Put(p.buf)
			if err == nil && p.pngName != "" {
				err = zw.addStored(p.pngName, p.pngCRC, p.png)
			}
			if err == nil && cred != nil {
				credRow = append(credRow[:0], p.serial, csvSafe(p.userID), csvSafe(p.email), p.ctfString)
				err = cred.csv.Write(credRow)
			}
			if err != nil {
				werr = err
				cancel(err)
				break
			}
			if err := spool.add(p.serial, p.sealed); err != nil {
				werr = err
				cancel(err)
				break
			}
			next++
			e.progress.Store(int64(next))
			<-slots
			if now := time.Now(); now.Sub(lastEvent) >= time.Second/MaxEventsPerSecond || next == jc.job.Total {
				lastEvent = now
				e.publish(Event{Seq: jc.job.Seq, Name: jc.job.Name, State: model.JobRunning, Done: next, Total: jc.job.Total})
				if now.Sub(lastActivity) >= activityEvery {
					lastActivity = now
					_ = e.st.SetActivity(fmt.Sprintf("job %s, %d of %d", jc.job.Name, next, jc.job.Total))
				}
			}
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if next != jc.job.Total {
		return fmt.Errorf("wrote %d of %d files", next, jc.job.Total)
	}
	if err := mf.finish(); err != nil {
		return err
	}
	if err := zw.addFrom("manifest.csv", mf.crc.Sum32(), mf.f, mf.cw.n, mf.size); err != nil {
		return err
	}
	if cred == nil {
		return nil
	}
	if err := cred.finish(); err != nil {
		return err
	}
	return zw.addFrom("credentials.csv", cred.crc.Sum32(), cred.f, cred.cw.n, cred.size)
}

// sliceWriter appends to a pooled buffer.
type sliceWriter struct{ b *[]byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

// writeOne writes, compresses and seals one file.
func (e *Engine) writeOne(w *sdtid.Writer, fw *flate.Writer, sw *sliceWriter, it item) (entry, error) {
	in := it.in
	in.Password = it.password
	in.Seed, in.Secret = &it.seed, &it.secret
	out, err := w.Write(in)
	if err != nil {
		return entry{}, fmt.Errorf("token %s: %w", it.serial, err)
	}
	defer clear(out.Seed[:])
	defer clear(out.Secret[:])
	buf := cbufPool.Get().(*[]byte)
	sw.b = buf
	fw.Reset(sw)
	if _, err := fw.Write(out.Data); err != nil {
		return entry{}, err
	}
	if err := fw.Close(); err != nil {
		return entry{}, err
	}
	sealed, err := e.st.SealSeed(it.serial, out.Seed[:])
	if err != nil {
		return entry{}, err
	}
	ent := entry{
		idx: it.idx, serial: it.serial, name: it.name,
		buf: buf, crc: crc32.ChecksumIEEE(out.Data), size: uint64(len(out.Data)),
		sealed: sealed,
	}
	clear(out.Data) // it holds the encrypted seed; cheap hygiene
	return ent, nil
}
