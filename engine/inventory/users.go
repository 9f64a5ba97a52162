package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// UsersCSVHeader is the header a user CSV file must start with; the email
// and ssh_keys columns are optional.
const UsersCSVHeader = "user_id,first_name,last_name[,email][,ssh_keys]"

// SSHKeysSeparator separates the keys in the ssh_keys column.
const SSHKeysSeparator = ";"

// Limits of one users CSV import. An import is all or nothing, so all its
// users are written in one store transaction, and that transaction's
// memory grows with the users it writes: bbolt keeps every changed page in
// memory until the commit, about 0.5 KB of heap per user. MaxUsersCSVUsers
// (1.5 times the 100,000 users the product is built for) keeps the peak
// memory of an import near 150 MB (docs/PERFORMANCE.md); a larger file is
// refused when its user line MaxUsersCSVUsers+1 is reached, with nothing
// imported, and is imported in parts. MaxUsersCSVSize and
// MaxUsersCSVLineBytes stop a file that is no users CSV (one without line
// breaks, say) from being taken into memory: a user line is a few hundred
// bytes at most.
const (
	MaxUsersCSVUsers     = 150_000
	MaxUsersCSVSize      = 64 << 20
	MaxUsersCSVLineBytes = 64 << 10
)

// CSV column names, in file order.
const (
	colUserID    = "user_id"
	colFirstName = "first_name"
	colLastName  = "last_name"
	colEmail     = "email"
	colSSHKeys   = "ssh_keys"
)

// columnOfField maps a model field label to its CSV column, so a model
// validation error can name the column.
var columnOfField = map[string]string{
	model.FieldUserID:    colUserID,
	model.FieldFirstName: colFirstName,
	model.FieldLastName:  colLastName,
	model.FieldEmail:     colEmail,
}

// CSVError is a problem with the file as a whole (not one line): a wrong
// header, text that is not UTF-8, broken CSV quoting. It stops the import.
type CSVError struct {
	Line int // 0 when no line applies
	Msg  string
}

func (e *CSVError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ParseUsersCSV reads a user CSV file: UTF-8 (an initial byte order mark is
// skipped), a header of exactly user_id,first_name,last_name with an
// optional email column (any case, spaces around names ignored), then one
// user per line. Blank lines are skipped, and a line may leave off the
// optional e-mail column even when the header has it.
//
// Each line is checked with the model's user rules; a bad line becomes a
// rejection that names the line and the column ("line 7, column last_name"
// with the reason "missing"). A user ID that appears twice is rejected on
// its second line, naming the first. The user ID is kept exactly as
// written (the model refuses surrounding spaces rather than guessing);
// spaces around names and the e-mail address are trimmed.
//
// The file is read as a stream, line by line: what is kept is the valid
// users and the rejections, never the file.
//
// The error is for a file that cannot be read as a whole: a wrong header,
// a UTF-16 file, text that is not UTF-8 (naming the first bad line),
// broken quoting, more than MaxUsersCSVUsers user lines, a file over
// MaxUsersCSVSize or a line over MaxUsersCSVLineBytes.
//
// The optional ssh_keys column holds public keys in authorized_keys form,
// separated by ";", each read by model.ParseSSHKey; a bad key, one that
// appears twice in the file, or more than store.MaxKeysPerUser keys reject
// the line ("line 7, column ssh_keys"). ParseUsersCSV leaves the keys out;
// ImportUsersCSV registers them.
func ParseUsersCSV(r io.Reader) ([]model.User, []store.Rejection, error) {
	users, rejs, _, _, err := parseUsersCSV(r)
	return users, rejs, err
}

// parseUsersCSV is ParseUsersCSV that also returns the line of each
// accepted user ID, so the store's rejections can name the line. The map
// is also the set of IDs that finds duplicates; its values are int32 to
// keep it small (MaxUsersCSVSize bounds the line numbers far below 2^31).
//
// keys holds the ssh_keys of the users that have some.
func parseUsersCSV(r io.Reader) (users []model.User, rejs []store.Rejection, first map[string]int32, keys map[string][]model.SSHKey, err error) {
	br := bufio.NewReader(&csvLimits{r: r, line: 1, recLine: 1})
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	if err := checkNotUTF16(br); err != nil {
		return nil, nil, nil, nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // column counts are checked here, per line
	// Each record's fields are substrings of one new string per record
	// (encoding/csv), which the users keep; the slice is reused.
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil, nil, &CSVError{Msg: "the file is empty; it must start with the header " + UsersCSVHeader}
	}
	if err != nil {
		return nil, nil, nil, nil, csvErr(err)
	}
	if err := checkUTF8(cr, header); err != nil {
		return nil, nil, nil, nil, err
	}
	cols, err := parseHeader(header)
	if err != nil {
		return nil, nil, nil, nil, err
	}

	first = map[string]int32{}  // user ID -> line it first appeared on
	n := 0                      // user lines so far
	keyLine := map[string]int{} // key fingerprint -> line it first appeared on
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, nil, nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if n++; n > MaxUsersCSVUsers {
			return nil, nil, nil, nil, &CSVError{Line: line, Msg: fmt.Sprintf(
				"the file holds more than %d users; an import takes at most %d, so that it stays all or nothing within bounded memory: split the file and import the parts one after the other",
				MaxUsersCSVUsers, MaxUsersCSVUsers)}
		}
		if err := checkUTF8(cr, rec); err != nil {
			return nil, nil, nil, nil, err
		}
		if len(rec) > len(cols) {
			rejs = append(rejs, store.Rejection{
				Item:   fmt.Sprintf("line %d", line),
				Reason: fmt.Sprintf("has %d columns; the header has %d (%s)", len(rec), len(cols), strings.Join(cols, ",")),
			})
			continue
		}
		if len(rec) < len(cols) && len(rec) < 3 { // the e-mail and keys may be left off
			rejs = append(rejs, store.Rejection{
				Item:   fmt.Sprintf("line %d, column %s", line, cols[len(rec)]),
				Reason: "missing",
			})
			continue
		}
		u := model.User{ID: rec[0], FirstName: strings.TrimSpace(rec[1]), LastName: strings.TrimSpace(rec[2])}
		keysCell := ""
		for i := 3; i < len(rec); i++ {
			switch cols[i] {
			case colEmail:
				u.Email = strings.TrimSpace(rec[i])
			case colSSHKeys:
				keysCell = rec[i]
			}
		}
		if err := u.Validate(); err != nil {
			for _, fe := range model.AsFieldErrors(err) {
				col := columnOfField[fe.Field]
				if col == "" {
					col = fe.Field
				}
				rejs = append(rejs, store.Rejection{Item: fmt.Sprintf("line %d, column %s", line, col), Reason: fe.Msg})
			}
			continue
		}
		if prev, dup := first[u.ID]; dup {
			rejs = append(rejs, store.Rejection{
				Item:   fmt.Sprintf("line %d, column %s", line, colUserID),
				Reason: fmt.Sprintf("user ID %q duplicates line %d", u.ID, prev),
			})
			continue
		}
		ks, reason := parseKeysCell(keysCell, line, keyLine)
		if reason != "" {
			rejs = append(rejs, store.Rejection{Item: fmt.Sprintf("line %d, column %s", line, colSSHKeys), Reason: reason})
			continue
		}
		for _, k := range ks {
			keyLine[k.Fingerprint] = line
		}
		if len(ks) > 0 {
			if keys == nil {
				keys = map[string][]model.SSHKey{}
			}
			keys[u.ID] = ks
		}
		first[u.ID] = int32(line)
		users = append(users, u)
	}
	return users, rejs, first, keys, nil
}

// parseKeysCell reads the ssh_keys column of one line: keys separated by
// ";" (blank ones skipped). reason says why the line is rejected: a key
// that does not parse (its position in the cell), a key twice in the cell
// or on an earlier line (seen), too many keys.
func parseKeysCell(cell string, line int, seen map[string]int) ([]model.SSHKey, string) {
	if strings.TrimSpace(cell) == "" {
		return nil, ""
	}
	var out []model.SSHKey
	here := map[string]bool{}
	for i, part := range strings.Split(cell, SSHKeysSeparator) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, err := model.ParseSSHKey(part)
		if err != nil {
			return nil, fmt.Sprintf("key %d: %v", i+1, err)
		}
		if here[k.Fingerprint] {
			return nil, fmt.Sprintf("key %d (%s) appears twice in the column", i+1, k.Fingerprint)
		}
		if prev, ok := seen[k.Fingerprint]; ok {
			return nil, fmt.Sprintf("key %d (%s) is also on line %d: a key names one user", i+1, k.Fingerprint, prev)
		}
		here[k.Fingerprint] = true
		out = append(out, k)
	}
	if len(out) > store.MaxKeysPerUser {
		return nil, fmt.Sprintf("has %d keys; a user may have at most %d", len(out), store.MaxKeysPerUser)
	}
	return out, ""
}

// csvLimits is the reader under the CSV parser. It refuses a file over
// MaxUsersCSVSize and a record (a line, or the lines of a quoted field
// that holds line breaks) over MaxUsersCSVLineBytes as soon as it reads
// them, so that neither is taken into memory. It follows the quotes the
// way CSV does: a quote opens or closes a quoted field, and the "" inside
// one closes and opens it again.
type csvLimits struct {
	r       io.Reader
	size    int64 // bytes read so far
	line    int   // the line the next byte is on (1-based)
	recLine int   // the line the current record starts on
	recLen  int   // bytes of the current record so far
	quoted  bool  // inside a quoted field
	err     error // the limit broken, returned from then on
}

func (l *csvLimits) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	if l.size += int64(n); l.size > MaxUsersCSVSize {
		l.err = &CSVError{Msg: fmt.Sprintf("the file is larger than %d MiB; a users CSV of %d users is far smaller (split the file, or check that it is the right one)",
			MaxUsersCSVSize>>20, MaxUsersCSVUsers)}
		return 0, l.err
	}
	for _, b := range p[:n] {
		switch b {
		case '"':
			l.quoted = !l.quoted
		case '\n':
			l.line++
			if !l.quoted {
				l.recLine, l.recLen = l.line, 0
				continue
			}
		}
		if l.recLen++; l.recLen > MaxUsersCSVLineBytes {
			l.err = &CSVError{Line: l.recLine, Msg: fmt.Sprintf("the line is longer than %d KiB; a user line is a few hundred bytes: this is not a users CSV file",
				MaxUsersCSVLineBytes>>10)}
			return 0, l.err
		}
	}
	return n, err
}

// parseHeader checks the header and returns the column names present.
func parseHeader(h []string) ([]string, error) {
	want := []string{colUserID, colFirstName, colLastName}
	optional := []string{colEmail, colSSHKeys} // in this order, each may be left out
	bad := len(h) < 3 || len(h) > 5
	var cols []string
	if !bad {
		for i, name := range h {
			name = strings.ToLower(strings.TrimSpace(name))
			if i < 3 {
				bad = bad || name != want[i]
				cols = append(cols, want[i])
				continue
			}
			for len(optional) > 0 && optional[0] != name {
				optional = optional[1:]
			}
			if len(optional) == 0 {
				bad = true
				break
			}
			cols = append(cols, name)
			optional = optional[1:]
		}
	}
	if bad {
		return nil, &CSVError{Line: 1, Msg: fmt.Sprintf("the header is %q; it must be %s (the email and ssh_keys columns are optional)",
			strings.Join(h, ","), UsersCSVHeader)}
	}
	return cols, nil
}

// checkNotUTF16 refuses a file that is UTF-16 (what spreadsheet programs
// write as "Unicode text"): a UTF-16 byte order mark, or NUL bytes in the
// first line, which UTF-16 has in every ASCII character and a text file in
// UTF-8 never has. Without this the header check would fail with a
// confusing message full of NULs.
func checkNotUTF16(br *bufio.Reader) error {
	head, _ := br.Peek(512) // what is there; a short file is fine
	const fix = "; save it as UTF-8 (\"CSV UTF-8\") and import it again"
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return &CSVError{Msg: "the file is not UTF-8 (UTF-16? it starts with a UTF-16 byte order mark)" + fix}
	case bytes.IndexByte(head, 0) >= 0:
		return &CSVError{Msg: "the file is not UTF-8 (UTF-16? it contains NUL bytes)" + fix}
	}
	return nil
}

// checkUTF8 refuses a record with bytes that are not UTF-8, naming its
// line: the file is almost certainly in another encoding, and guessing
// would store mangled names.
func checkUTF8(cr *csv.Reader, rec []string) error {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			line, _ := cr.FieldPos(i)
			col := fmt.Sprintf("column %d", i+1)
			if names := []string{colUserID, colFirstName, colLastName, colEmail, colSSHKeys}; i < len(names) {
				col = "column " + names[i]
			}
			return &CSVError{Line: line, Msg: col + " is not valid UTF-8 text (is the file Latin-1 or Windows-1252?); save the file as UTF-8 and import it again"}
		}
	}
	return nil
}

// csvErr turns an encoding/csv parse error into a CSVError naming its line.
func csvErr(err error) error {
	var ce *CSVError
	if errors.As(err, &ce) {
		return ce // a limit of csvLimits
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fmt.Errorf("read the CSV file: %w", err)
}

// ImportUsersCSV reads a user CSV file (ParseUsersCSV) and imports the
// users with store.ImportUsers, all or nothing unless opts.Partial (a
// refusal is a *store.ImportRejectedError with the result listing every
// rejection). With opts.Overwrite (the CLI's --update), users that exist
// already get the file's names and e-mail; without it they are skipped.
//
// The file is read and checked first, as a stream, outside any store
// transaction; then the valid users are written in one transaction. Memory
// is bounded by MaxUsersCSVUsers (docs/PERFORMANCE.md).
func ImportUsersCSV(st *store.Store, r io.Reader, source string, opts store.ImportOptions) (store.ImportResult, error) {
	users, rejs, lines, keys, err := parseUsersCSV(r)
	if err != nil {
		return store.ImportResult{}, err
	}
	var grants []store.UserKeyGrant
	if len(keys) > 0 {
		if users, rejs, grants, err = checkKeyOwners(st, users, rejs, lines, keys); err != nil {
			return store.ImportResult{}, err
		}
		keys = nil
	}
	// The set of IDs is not needed any more: keep each user's line in a
	// slice (4 bytes a user rather than a map entry) while the store
	// writes, and make a map only if the store rejects something.
	userLines := make([]int32, len(users))
	for i, u := range users {
		userLines[i] = lines[u.ID]
	}
	lines = nil
	where := func(id string) (string, bool) {
		if lines == nil {
			lines = make(map[string]int32, len(users))
			for i, u := range users {
				lines[u.ID] = userLines[i]
			}
		}
		line, ok := lines[id]
		return fmt.Sprintf("line %d", line), ok
	}
	res, err := finishImport("users", source, rejs, len(users), opts, where, func(opts store.ImportOptions) (store.ImportResult, error) {
		return st.ImportUsers(users, source, opts)
	})
	if err != nil || len(grants) == 0 || len(users) == 0 {
		return res, err
	}
	// The keys of the users now in the store (a user the store rejected
	// with --partial has none added).
	rejected := map[string]bool{}
	for _, r := range res.Rejected {
		rejected[r.Item] = true
	}
	kept := grants[:0]
	for _, g := range grants {
		if w, _ := where(g.User); !rejected[w] {
			kept = append(kept, g)
		}
	}
	n, err := st.AddUsersKeys(kept)
	if err != nil {
		var ge *store.KeyGrantError
		if errors.As(err, &ge) {
			w, _ := where(kept[ge.Index].User)
			err = fmt.Errorf("%s, column %s: %w", w, colSSHKeys, ge.Err)
		}
		return res, fmt.Errorf("the users were imported but no SSH key was added: %w", err)
	}
	res.KeysAdded = n
	return res, nil
}

// checkKeyOwners rejects the lines whose ssh_keys hold a key registered
// for another user (one read of the store), and returns the users left
// and the keys to register for them.
func checkKeyOwners(st *store.Store, users []model.User, rejs []store.Rejection, lines map[string]int32,
	keys map[string][]model.SSHKey) ([]model.User, []store.Rejection, []store.UserKeyGrant, error) {
	var fps []string
	for _, ks := range keys {
		for _, k := range ks {
			fps = append(fps, k.Fingerprint)
		}
	}
	owners, err := st.KeyOwners(fps)
	if err != nil {
		return nil, nil, nil, err
	}
	var grants []store.UserKeyGrant
	kept := users[:0]
	for _, u := range users {
		bad := ""
		for i, k := range keys[u.ID] {
			if owner, ok := owners[k.Fingerprint]; ok && owner != u.ID {
				bad = fmt.Sprintf("key %d (%s) is registered for another user: a key names one user", i+1, k.Fingerprint)
				break
			}
		}
		if bad != "" {
			rejs = append(rejs, store.Rejection{Item: fmt.Sprintf("line %d, column %s", lines[u.ID], colSSHKeys), Reason: bad})
			delete(lines, u.ID)
			continue
		}
		for _, k := range keys[u.ID] {
			grants = append(grants, store.UserKeyGrant{User: u.ID, Key: k})
		}
		kept = append(kept, u)
	}
	return kept, rejs, grants, nil
}
