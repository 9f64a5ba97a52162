package inventory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// NamedData is one input file: the name used in messages and its content,
// or the path it is read from.
type NamedData struct {
	Name string
	Data []byte
	// Path, when Data is nil, is where the file is read from
	// (ReadTokenFile) when the import reaches it: one file's content at a
	// time is in memory, at most MaxTokenFileSize bytes, cleared once the
	// file is parsed. A path that cannot be read, is not a regular file or
	// is larger than MaxTokenFileSize becomes a rejection naming the file.
	Path string
	// Err, when set, says the file could not be read at all (missing,
	// unreadable, too large). It becomes a rejection naming the file, so
	// one bad path does not hide what is wrong with the others.
	Err error
}

// TokenFileOptions say how token files are read.
type TokenFileOptions struct {
	// Password opens every password-protected file. A file without a
	// password ignores it.
	Password string
	// AskPassword, when Password is empty, is called at most once, the
	// first time a file turns out to need a password; its answer is used
	// for that file and every later one. It returns an error when no
	// password can be asked for (no terminal), and the files that need
	// one are then rejected with the reader's "password required" reason.
	AskPassword func() (string, error)
}

// MaxTokenFileSize is the largest token file that is imported: token
// readers (stoken) read only the first 65,535 bytes of a file, so a larger
// one would be cut short on the user's device. Such a file is refused
// before it is parsed.
const MaxTokenFileSize = 65535

// tooLarge is the rejection reason for a file over MaxTokenFileSize.
func tooLarge(n int64) string {
	return fmt.Sprintf("the file is %d bytes, larger than 64 KiB: token readers (stoken) read only the first %d bytes of a file, so this cannot be a token file they can use; it was not read",
		n, MaxTokenFileSize)
}

// ImportSource is the audit source of a token import from files.
func importSource(files []NamedData) string {
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.Name)
	}
	const max = 5
	if len(names) > max {
		return fmt.Sprintf("token files %s and %d more", strings.Join(names[:max], ", "), len(names)-max)
	}
	if len(names) == 1 {
		return "token file " + names[0]
	}
	return "token files " + strings.Join(names, ", ")
}

// ParseTokenFiles reads token record files and returns their tokens as
// model values, each seed already sealed with the store key, plus one
// rejection per file that could not be read (naming the file and the
// specific reason: larger than 64 KiB (MaxTokenFileSize, checked before
// reading or parsing), not a regular file, wrong password, token MAC
// failed, malformed XML at line N, ...) and per token that is not acceptable (a duplicate serial
// within the input, a serial that breaks the model's rules). Every clear
// seed the reader returned is zeroed before the next file is read. The
// error is for a failure of the store itself (sealing), not for bad input.
func ParseTokenFiles(st *store.Store, files []NamedData, opts TokenFileOptions) ([]model.Token, []store.Rejection, error) {
	toks, rejs, _, err := parseTokenFiles(st, files, opts)
	return toks, rejs, err
}

// parseTokenFiles is ParseTokenFiles that also says where each accepted
// serial came from, so the store's rejections can name the file. Files
// given by Path are read one at a time, when their turn comes.
func parseTokenFiles(st *store.Store, files []NamedData, opts TokenFileOptions) ([]model.Token, []store.Rejection, map[string]string, error) {
	var (
		toks []model.Token
		rejs []store.Rejection
		seen = map[string]string{} // serial -> where it was first seen
		pw   = filePassword{opts: opts, pw: opts.Password}
	)
	for _, f := range files {
		ftoks, frejs, err := parseTokenFile(st, f, &pw, seen)
		if err != nil {
			return nil, nil, nil, err
		}
		toks = append(toks, ftoks...)
		rejs = append(rejs, frejs...)
	}
	return toks, rejs, seen, nil
}

// parseTokenFile reads (when f has a Path and no Data) and parses one file;
// a file read here is cleared before it returns.
func parseTokenFile(st *store.Store, f NamedData, pw *filePassword, seen map[string]string) ([]model.Token, []store.Rejection, error) {
	reject := func(reason string) ([]model.Token, []store.Rejection, error) {
		return nil, []store.Rejection{{Item: f.Name, Reason: reason}}, nil
	}
	switch {
	case f.Err != nil:
		return reject(f.Err.Error())
	case len(f.Data) > MaxTokenFileSize:
		return reject(tooLarge(int64(len(f.Data))))
	case f.Data == nil && f.Path != "":
		data, err := ReadTokenFile(f.Path)
		if err != nil {
			return reject(err.Error())
		}
		defer clear(data)
		f.Data = data
	}
	file, err := pw.read(f.Data)
	if err != nil {
		return reject(pw.reason(err))
	}
	return convertFile(st, f.Name, file, seen)
}

// filePassword is the password of one import: the given one, or the one
// asked for (once) when the first file turns out to need it.
type filePassword struct {
	opts   TokenFileOptions
	pw     string
	asked  bool
	askErr error
}

// read reads a token file with the password, asking for it first if need be.
func (p *filePassword) read(data []byte) (*sdtid.File, error) {
	file, err := sdtid.Read(data, p.pw)
	if sdtid.KindOf(err) == sdtid.KindPasswordRequired && p.pw == "" && p.opts.AskPassword != nil && !p.asked {
		p.asked = true
		if p.pw, p.askErr = p.opts.AskPassword(); p.askErr != nil {
			p.pw = ""
		}
		if p.pw != "" {
			file, err = sdtid.Read(data, p.pw)
		}
	}
	return file, err
}

// reason is the rejection reason for a read error, with why no password
// could be asked for when that is the problem.
func (p *filePassword) reason(err error) string {
	reason := err.Error()
	if sdtid.KindOf(err) == sdtid.KindPasswordRequired && p.askErr != nil {
		reason += " (" + p.askErr.Error() + ")"
	}
	return reason
}

// convertFile turns the tokens of one read file into sealed model tokens.
// It zeroes every clear seed of file, whatever happens.
func convertFile(st *store.Store, name string, file *sdtid.File, seen map[string]string) ([]model.Token, []store.Rejection, error) {
	defer func() {
		for i := range file.Tokens {
			clear(file.Tokens[i].Seed[:])
		}
	}()
	if len(file.Tokens) == 0 {
		return nil, []store.Rejection{{Item: name, Reason: "the file holds no token"}}, nil
	}
	var toks []model.Token
	var rejs []store.Rejection
	for i := range file.Tokens {
		ft := &file.Tokens[i]
		item := name
		if len(file.Tokens) > 1 {
			item = fmt.Sprintf("%s, token %d of %d (serial %s)", name, i+1, len(file.Tokens), ft.Serial)
		}
		tok, reason := TokenFromFile(*ft)
		if reason == "" {
			if first, dup := seen[tok.Serial]; dup {
				reason = fmt.Sprintf("serial %s appears more than once in this import (first in %s)", tok.Serial, first)
			}
		}
		if reason != "" {
			rejs = append(rejs, store.Rejection{Item: item, Reason: reason})
			continue
		}
		seed := ft.Seed // a copy, wiped below like the original
		sealed, err := st.SealSeed(tok.Serial, seed[:])
		clear(seed[:])
		if err != nil {
			return nil, nil, fmt.Errorf("seal the seed of token %s: %w", tok.Serial, err)
		}
		tok.SealedSeed = sealed
		seen[tok.Serial] = item
		toks = append(toks, tok)
	}
	return toks, rejs, nil
}

// TokenFromFile turns a token read from a file into an unassigned,
// disabled model token without its seed (the caller seals it), with the
// file's digits, interval and PIN mode as its code settings
// (Distribution.Digits, IntervalSeconds, AddPIN; never distributed, so
// Count is 0). A token the model refuses gives a reason instead.
func TokenFromFile(ft sdtid.Token) (model.Token, string) {
	kind := model.KindHardware
	if len(ft.Serial) == model.SoftwareSerialLen {
		kind = model.KindSoftware
	}
	alg := model.AlgSID64
	if ft.Alg == 1 {
		alg = model.AlgAES128
	}
	if ft.NeverExpires || ft.Death.IsZero() {
		return model.Token{}, "the token has no usable expiry date (a Death date before 2000 means \"never expires\" to token readers); swtoken needs a real expiry date"
	}
	t := model.Token{
		Serial:    ft.Serial,
		Kind:      kind,
		Algorithm: alg,
		Birth:     parseFileDate(ft.Birth),
		Death:     model.Date(ft.Death),
		// Imported tokens are unassigned, hence disabled (product.md 2).
		Enabled: false,
		// The file's code settings, so that swtoken verify need not
		// assume them for a token never distributed by swtoken.
		Distribution: model.Distribution{Digits: ft.Digits, IntervalSeconds: ft.IntervalSeconds, AddPIN: ft.PINMode >= 2},
	}
	if err := t.Validate(); err != nil {
		return model.Token{}, err.Error()
	}
	return t, ""
}

// parseFileDate reads a YYYY/MM/DD date the way token readers do (three
// numbers separated by "/", trailing text ignored). Birth is informational
// and not checked by readers, so an unreadable one is left unset rather
// than refused.
func parseFileDate(s string) time.Time {
	var y, m, d int
	if n, _ := fmt.Sscanf(strings.TrimSpace(s), "%d/%d/%d", &y, &m, &d); n != 3 {
		return time.Time{}
	}
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 9999 {
		return time.Time{}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// ImportTokenFiles reads token record files (ParseTokenFiles) and imports
// their tokens with store.ImportTokens. Like every import it is all or
// nothing unless opts.Partial: when any file or token is rejected without
// Partial, nothing is written and the error is a
// *store.ImportRejectedError, returned together with a result that lists
// every rejection. Existing serials are skipped, or re-keyed with
// opts.Overwrite (the store keeps their assignment and history). The
// store's rejections name the file the token came from.
func ImportTokenFiles(st *store.Store, files []NamedData, fopts TokenFileOptions, opts store.ImportOptions) (store.ImportResult, error) {
	toks, rejs, where, err := parseTokenFiles(st, files, fopts)
	if err != nil {
		return store.ImportResult{}, err
	}
	source := importSource(files)
	whereFrom := func(serial string) (string, bool) {
		w, ok := where[serial]
		return w, ok
	}
	return finishImport("tokens", source, rejs, len(toks), opts, whereFrom, func(opts store.ImportOptions) (store.ImportResult, error) {
		return st.ImportTokens(toks, source, opts)
	})
}

// finishImport runs the store import unless the parser rejected something
// and the import is all or nothing, in which case it refuses like the
// store does. The store's rejections, which name an item by its key, are
// renamed to where the item came from (where: key -> file or line).
func finishImport(what, source string, parseRejs []store.Rejection, valid int, opts store.ImportOptions,
	where func(key string) (string, bool), importFn func(store.ImportOptions) (store.ImportResult, error)) (store.ImportResult, error) {
	if len(parseRejs) > 0 && !opts.Partial {
		return store.ImportResult{Rejected: parseRejs}, &store.ImportRejectedError{
			What: what, Source: source, Total: valid + len(parseRejs), Rejected: len(parseRejs)}
	}
	if valid == 0 {
		return store.ImportResult{Rejected: parseRejs}, nil
	}
	// The parser's rejections count in the store's audit record too.
	opts.Prerejected = len(parseRejs)
	res, err := importFn(opts)
	for i, r := range res.Rejected {
		if w, ok := where(r.Item); ok {
			res.Rejected[i].Item = w
		}
	}
	res.Rejected = slices.Concat(parseRejs, res.Rejected)
	return res, err
}
