package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// rejectionItem is the form of store.Rejection.Item for a user CSV line.
var rejectionItem = regexp.MustCompile(`^line ([0-9]+)(?:, column (user_id|first_name|last_name|email))?$`)

// duplicateReason ends the reason of a repeated user ID.
var duplicateReason = regexp.MustCompile(`duplicates line ([0-9]+)$`)

// FuzzParseUsersCSV: ParseUsersCSV never panics, and
//   - an error is a *CSVError naming a line of the input (or none), and
//     comes without users or rejections;
//   - every user passes model validation, IDs are unique (they are
//     case-sensitive, so exactly), and names and e-mail are trimmed;
//   - every rejection names a line after the header and within the input,
//     in file order, a known column, and a reason; a duplicate names an
//     earlier line; no line gives both a user and a rejection;
//   - writing the users out again with encoding/csv reads back the same
//     users with nothing rejected;
//   - a byte order mark in front, or CRLF line ends instead of LF, change
//     nothing.
func FuzzParseUsersCSV(f *testing.F) {
	const hdr = "user_id,first_name,last_name,email\n"
	for _, s := range []string{
		hdr + "jdoe,John,Doe,john.doe@example.com\nasmith,Alice,Smith,\nzed,Zed,\n",
		"user_id,first_name,last_name\njdoe,John,Doe\n",
		"\xEF\xBB\xBF" + hdr + "jdoe,John,Doe,john@example.com\n",
		"\xEF\xBB\xBF",
		"user_id,first_name,last_name,email\r\njdoe,John,Doe,\r\n\r\nasmith,Alice,Smith,a@example.com\r\n",
		hdr + "\"o,brien\",Seán,\"O'Brien, Jr\",sean@example.com\n\"multi\",\"Two\nLines\",X,\n\"q\"\"uote\",\"a\"\"b\",c,\n",
		"\"user_id\n\",first_name,last_name\njdoe,John,Doe\n",      // a header over two lines
		hdr + "jdoe,John,Doe,\nJDoe,Jane,Doe,\njdoe,Johnny,Doe,\n", // a duplicate; IDs are case-sensitive
		"",
		hdr,
		"user_id,first_name,last_name",
		hdr + "jose,Jos\xe9,Garc\xeda,\n", // Latin-1
		"\xFF\xFEu\x00s\x00",              // UTF-16LE
		hdr + "bob,\"Bob,Builder\n",       // broken quoting
		hdr + "a,b\n,Eve,Adams,\n bob,Bob,B,\nc,C,C,not-an-address\nd,D,D,d@example.com,extra\n",
		hdr + "long," + strings.Repeat("x", 5000) + ",Doe,\n" + strings.Repeat("y", 70) + ",Y,Y,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		users, rejs, err := ParseUsersCSV(bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n")) + 1
		if err != nil {
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *CSVError: %v", err, err)
			}
			if ce.Line < 0 || ce.Line > lines || ce.Msg == "" {
				t.Fatalf("error %+v for an input of %d lines", ce, lines)
			}
			if users != nil || rejs != nil {
				t.Fatalf("error %v with %d users and %d rejections", err, len(users), len(rejs))
			}
		}
		ids := map[string]bool{}
		for _, u := range users {
			if verr := u.Validate(); verr != nil {
				t.Fatalf("user %+v is invalid: %v", u, verr)
			}
			if ids[u.ID] {
				t.Fatalf("user ID %q returned twice", u.ID)
			}
			ids[u.ID] = true
			for _, s := range []string{u.FirstName, u.LastName, u.Email} {
				if s != strings.TrimSpace(s) {
					t.Fatalf("user %+v: %q is not trimmed", u, s)
				}
			}
		}
		rejected := map[int]bool{}
		prevLine := 0
		for _, r := range rejs {
			m := rejectionItem.FindStringSubmatch(r.Item)
			if m == nil || r.Reason == "" {
				t.Fatalf("rejection %+v", r)
			}
			line, _ := strconv.Atoi(m[1])
			if line < 2 || line > lines || line < prevLine {
				t.Fatalf("rejection %+v: line out of order or outside 2..%d", r, lines)
			}
			prevLine = line
			rejected[line] = true
			if d := duplicateReason.FindStringSubmatch(r.Reason); d != nil && m[2] == "user_id" {
				if first, _ := strconv.Atoi(d[1]); first < 2 || first >= line {
					t.Fatalf("rejection %+v names a line that is not earlier", r)
				}
			}
		}

		// The unexported form gives the line of each user.
		users2, rejs2, where, _, err2 := parseUsersCSV(bytes.NewReader(data))
		if !reflect.DeepEqual(users2, users) || !reflect.DeepEqual(rejs2, rejs) || !sameErr(err2, err) {
			t.Fatalf("parseUsersCSV disagrees with ParseUsersCSV")
		}
		if err == nil && len(where) != len(users) {
			t.Fatalf("%d user lines for %d users", len(where), len(users))
		}
		userLines := map[int]bool{}
		for _, u := range users {
			w, ok := where[u.ID]
			if !ok {
				t.Fatalf("no line for user %q", u.ID)
			}
			line := int(w)
			if line < 2 || line > lines || rejected[line] || userLines[line] {
				t.Fatalf("user %q is on line %d (rejected lines %v, input of %d lines)", u.ID, line, rejected, lines)
			}
			userLines[line] = true
		}

		// A byte order mark in front, or CRLF line ends, change nothing.
		// Not for a file that starts with a byte order mark already (or a
		// UTF-16 one), nor for a file with CRs of its own (they would meet
		// the added ones), nor with NUL bytes: those count only in the first
		// 512 bytes, which the added bytes shift.
		if bytes.IndexByte(data, 0) < 0 {
			var variants [][]byte
			if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) && !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
				variants = append(variants, append([]byte("\xEF\xBB\xBF"), data...))
			}
			if bytes.IndexByte(data, '\r') < 0 {
				variants = append(variants, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
			}
			for _, v := range variants {
				u, r, e := ParseUsersCSV(bytes.NewReader(v))
				if !reflect.DeepEqual(u, users) || !reflect.DeepEqual(r, rejs) || !sameErr(e, err) {
					t.Fatalf("%q reads as\n%+v, %+v, %v\nbut %q as\n%+v, %+v, %v", data, users, rejs, err, v, u, r, e)
				}
			}
		}

		if err != nil {
			return
		}
		// What was accepted, written out again, is read back the same.
		var buf bytes.Buffer
		buf.WriteString(hdr)
		cw := csv.NewWriter(&buf)
		for _, u := range users {
			cw.Write([]string{u.ID, u.FirstName, u.LastName, u.Email})
		}
		cw.Flush()
		again, rejsAgain, errAgain := ParseUsersCSV(&buf)
		if errAgain != nil || len(rejsAgain) != 0 || len(again) != len(users) || (len(users) > 0 && !reflect.DeepEqual(again, users)) {
			t.Fatalf("written out and read again: %+v, %+v, %v\nwant %+v", again, rejsAgain, errAgain, users)
		}
	})
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}
