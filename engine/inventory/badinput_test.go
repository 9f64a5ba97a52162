package inventory

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/swtoken/swtoken/store"
)

// storeState is what a refused import must leave alone: the database
// file's bytes, and (as a readable cross-check) the counts of tokens,
// users and audit records.
type storeState struct {
	dbHash                  [32]byte
	tokens, users, auditLen int
}

func stateOf(t *testing.T, st *store.Store) storeState {
	t.Helper()
	data, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	s := storeState{dbHash: sha256.Sum256(data)}
	s.tokens, _ = st.CountTokens()
	s.users, _ = st.CountUsers()
	recs, err := st.AuditRecords(store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s.auditLen = len(recs)
	return s
}

// badInputStore is a store that already holds a token and two users, so
// that an import that wrongly wrote something would show.
func badInputStore(t *testing.T) *store.Store {
	t.Helper()
	st := openStore(t)
	if _, err := ImportTokenFiles(st, []NamedData{vector(t, "f01-8d-60s-addpin-nopw.sdtid")}, TokenFileOptions{}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportUsersCSV(st, strings.NewReader("user_id,first_name,last_name\njdoe,John,Doe\nasmith,Alice,Smith\n"), "users.csv", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

// withData is a vector file with other content under its name.
func withData(t *testing.T, name string, edit func([]byte) []byte) NamedData {
	t.Helper()
	f := vector(t, name)
	f.Data = edit(bytes.Clone(f.Data))
	return f
}

// padTo pads a token file with trailing blank lines to exactly n bytes.
// Whitespace after the document changes nothing for a reader, so only the
// size differs.
func padTo(data []byte, n int) []byte {
	return append(data, bytes.Repeat([]byte("\n"), n-len(data))...)
}

// TestBadTokenFilesChangeNothing: every bad token file gets a specific
// reason naming the file, the import is refused as a whole (the good file
// given with it is not imported either), and the store is unchanged to the
// byte.
func TestBadTokenFilesChangeNothing(t *testing.T) {
	st := badInputStore(t)
	good := vector(t, "f02-6d-30s-nopin-nopw.sdtid")
	cases := []struct {
		name     string
		file     NamedData
		password string
		item     string // the rejected item; "" = the file's name
		want     string
	}{
		{"wrong password", vector(t, "f03-8d-30s-addpin-pw.sdtid"), "not the password", "",
			"wrong password"},
		{"malformed XML", vector(t, "tamper/unclosed-tag.sdtid"), "", "",
			"malformed XML at line 39: element <UserLogin> closed by </UserLogn>"},
		{"truncated XML", vector(t, "tamper/truncated.sdtid"), "", "",
			"malformed XML at line 41: unexpected EOF"},
		{"empty file", NamedData{Name: "empty.sdtid", Data: []byte{}}, "", "",
			"not an SDTID file: the file is empty"},
		{"no XML at all", NamedData{Name: "notes.txt", Data: []byte("serial 123456789012\n")}, "", "",
			`not an SDTID file: no "<?xml " declaration`},
		{"over 64 KiB", withData(t, "f05-8d-60s-nopin-devid.sdtid", func(d []byte) []byte { return padTo(d, 70000) }), "", "",
			"the file is 70000 bytes, larger than 64 KiB: token readers (stoken) read only the first 65535 bytes"},
		{"one byte over", withData(t, "f05-8d-60s-nopin-devid.sdtid", func(d []byte) []byte { return padTo(d, MaxTokenFileSize+1) }), "", "",
			"the file is 65536 bytes, larger than 64 KiB"},
		{"duplicate serial in one file", vector(t, "tamper/two-tkn.sdtid"), "", "tamper/two-tkn.sdtid, token 2 of 2 (serial 123456789012)",
			"serial 123456789012 appears more than once in this import (first in tamper/two-tkn.sdtid, token 1 of 2 (serial 123456789012))"},
		{"duplicate serial across files", NamedData{Name: "copy-of-f02.sdtid", Data: good.Data}, "", "",
			"serial 987654321098 appears more than once in this import (first in f02-6d-30s-nopin-nopw.sdtid)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := stateOf(t, st)
			res, err := ImportTokenFiles(st, []NamedData{good, c.file}, TokenFileOptions{Password: c.password}, store.ImportOptions{})
			var refused *store.ImportRejectedError
			if !errors.As(err, &refused) {
				t.Fatalf("want *store.ImportRejectedError, got %v", err)
			}
			if res.Imported != 0 || res.Updated != 0 || len(res.Rejected) != 1 {
				t.Fatalf("result %+v", res)
			}
			item := c.item
			if item == "" {
				item = c.file.Name
			}
			r := res.Rejected[0]
			if r.Item != item || !strings.Contains(r.Reason, c.want) {
				t.Fatalf("rejection %q: %q\nwant      %q: ...%q...", r.Item, r.Reason, item, c.want)
			}
			if c.password != "" && strings.Contains(r.Reason+err.Error(), c.password) {
				t.Fatalf("the password is echoed: %q", r.Reason)
			}
			if after := stateOf(t, st); after != before {
				t.Fatalf("a refused import changed the store: %+v -> %+v", before, after)
			}
		})
	}

	// The size limit is stoken's: a file of exactly 65,535 bytes is read,
	// and the padding that makes it so is harmless.
	limit := withData(t, "f05-8d-60s-nopin-devid.sdtid", func(d []byte) []byte { return padTo(d, MaxTokenFileSize) })
	res, err := ImportTokenFiles(st, []NamedData{limit}, TokenFileOptions{}, store.ImportOptions{})
	if err != nil || res.Imported != 1 {
		t.Fatalf("a 65,535-byte file: %+v, %v", res, err)
	}
}

// TestOversizedFileIsRefusedBeforeParsing: the reader would accept this
// file (it only looks at the first 65,535 bytes, and everything after them
// is blank), so only the size check can have refused it.
func TestOversizedFileIsRefusedBeforeParsing(t *testing.T) {
	st := openStore(t)
	f := withData(t, "f01-8d-60s-addpin-nopw.sdtid", func(d []byte) []byte { return padTo(d, 1<<20) })
	toks, rejs, err := ParseTokenFiles(st, []NamedData{f}, TokenFileOptions{})
	if err != nil || len(toks) != 0 || len(rejs) != 1 || !strings.Contains(rejs[0].Reason, "the file is 1048576 bytes, larger than 64 KiB") {
		t.Fatalf("%d tokens, %+v, %v", len(toks), rejs, err)
	}
}

func utf16File(text string, bigEndian, bom bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	units := utf16.Encode([]rune(text))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	if bigEndian {
		order = binary.BigEndian
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return out
}

// TestBadUserCSVChangesNothing: every bad user file gets a specific message
// (naming the line and column where there is one), and the store is
// unchanged to the byte.
func TestBadUserCSVChangesNothing(t *testing.T) {
	st := badInputStore(t)
	const text = "user_id,first_name,last_name\r\nmaria,María,Núñez\r\n"
	cases := []struct {
		name string
		csv  []byte
		item string // for a line rejection; "" when the file as a whole is refused
		want string
	}{
		{"missing column", []byte("user_id,first_name,last_name\nbob,Bob,Builder\ncarol,Carol\n"),
			"line 3, column last_name", "missing"},
		{"duplicate user ID", []byte("user_id,first_name,last_name,email\nbob,Bob,Builder,\nbob,Robert,Builder,\n"),
			"line 3, column user_id", `user ID "bob" duplicates line 2`},
		{"Latin-1", []byte("user_id,first_name,last_name\nbob,Bob,Builder\njose,Jos\xe9,Garc\xeda\n"),
			"", "line 3: column first_name is not valid UTF-8 text (is the file Latin-1 or Windows-1252?)"},
		{"UTF-16LE with BOM", utf16File(text, false, true),
			"", "the file is not UTF-8 (UTF-16? it starts with a UTF-16 byte order mark)"},
		{"UTF-16BE with BOM", utf16File(text, true, true),
			"", "the file is not UTF-8 (UTF-16? it starts with a UTF-16 byte order mark)"},
		{"UTF-16LE without BOM", utf16File(text, false, false),
			"", "the file is not UTF-8 (UTF-16? it contains NUL bytes)"},
		{"empty", nil,
			"", "the file is empty; it must start with the header user_id,first_name,last_name[,email]"},
		{"wrong header", []byte("login,first,last\nbob,Bob,Builder\n"),
			"", `line 1: the header is "login,first,last"; it must be user_id,first_name,last_name[,email]`},
		{"broken quoting", []byte("user_id,first_name,last_name\nbob,\"Bob,Builder\n"),
			"", "line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := stateOf(t, st)
			res, err := ImportUsersCSV(st, bytes.NewReader(c.csv), "users.csv", store.ImportOptions{})
			if c.item != "" {
				var refused *store.ImportRejectedError
				if !errors.As(err, &refused) || res.Imported != 0 || len(res.Rejected) != 1 {
					t.Fatalf("want one rejection and a refusal, got %+v, %v", res, err)
				}
				if r := res.Rejected[0]; r.Item != c.item || !strings.Contains(r.Reason, c.want) {
					t.Fatalf("rejection %q: %q\nwant      %q: ...%q...", r.Item, r.Reason, c.item, c.want)
				}
			} else {
				var ce *CSVError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("got %v\nwant a *CSVError with %q", err, c.want)
				}
				if res.Imported != 0 || len(res.Rejected) != 0 {
					t.Fatalf("result %+v", res)
				}
			}
			if after := stateOf(t, st); after != before {
				t.Fatalf("a refused import changed the store: %+v -> %+v", before, after)
			}
		})
	}

	// The same text saved as UTF-8 goes in, with its accents intact.
	utf8Text := strings.ReplaceAll(text, "\r\n", "\n")
	res, err := ImportUsersCSV(st, strings.NewReader(utf8Text), "users.csv", store.ImportOptions{})
	if err != nil || res.Imported != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	if u, err := st.User("maria"); err != nil || u.FirstName != "María" || u.LastName != "Núñez" {
		t.Fatalf("%+v %v", u, err)
	}
}
