package inventory

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func TestParseUsersCSV(t *testing.T) {
	in := "\xEF\xBB\xBF User_ID , First_Name,LAST_NAME,email\n" + // BOM, any case, spaces
		"jdoe,John,Doe,john.doe@example.com\n" +
		"\n" +
		"asmith, Alice ,Smith,\n" +
		"\"o,brien\",Seán,\"O'Brien, Jr\",sean@example.com\n" +
		"JDoe,Jane,Doe,jane@example.com\n" + // IDs are case-sensitive
		"multi,\"Two\nLines\",X,\n" + // lines 7-8: a control character
		"zed,Zed,\n" // line 9: ok, blank last name
	users, rejs, err := ParseUsersCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.User{
		{ID: "jdoe", FirstName: "John", LastName: "Doe", Email: "john.doe@example.com"},
		{ID: "asmith", FirstName: "Alice", LastName: "Smith"},
		{ID: "o,brien", FirstName: "Seán", LastName: "O'Brien, Jr", Email: "sean@example.com"},
		{ID: "JDoe", FirstName: "Jane", LastName: "Doe", Email: "jane@example.com"},
		{ID: "zed", FirstName: "Zed"},
	}
	if !reflect.DeepEqual(users, want) {
		t.Fatalf("users\n%+v\nwant\n%+v", users, want)
	}
	if len(rejs) != 1 || rejs[0].Item != "line 7, column first_name" || !strings.Contains(rejs[0].Reason, "control character") {
		t.Fatalf("rejections %+v", rejs)
	}
}

func TestParseUsersCSVLineErrors(t *testing.T) {
	in := "user_id,first_name,last_name,email\n" + // line 1
		"jdoe,John,Doe,john@example.com\n" + // 2
		"asmith,Alice\n" + // 3: last_name missing
		"jdoe,Johnny,Doe,\n" + // 4: duplicate of line 2
		" bob,Bob,Builder,\n" + // 5: leading space in the ID
		"carol,Carol,King,not-an-address\n" + // 6
		"dave,Dave,Grohl,dave@example.com,extra\n" + // 7
		",Eve,Adams,\n" + // 8: blank ID
		"frank,Frank,Zappa,frank@example.com\n" // 9
	users, rejs, err := ParseUsersCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].ID != "jdoe" || users[1].ID != "frank" {
		t.Fatalf("users %+v", users)
	}
	want := []struct{ item, reason string }{
		{"line 3, column last_name", "missing"},
		{"line 4, column user_id", "duplicates line 2"},
		{"line 5, column user_id", "begins or ends with a space"},
		{"line 6, column email", "not a plain e-mail address"},
		{"line 7", "has 5 columns; the header has 4"},
		{"line 8, column user_id", "must not be blank"},
	}
	if len(rejs) != len(want) {
		t.Fatalf("rejections %+v", rejs)
	}
	for i, w := range want {
		if rejs[i].Item != w.item || !strings.Contains(rejs[i].Reason, w.reason) {
			t.Errorf("rejection %d: %+v, want %q: ...%q...", i, rejs[i], w.item, w.reason)
		}
	}
}

func TestParseUsersCSVFileErrors(t *testing.T) {
	cases := map[string]string{
		"":                          "empty",
		"id,first,last\njdoe,J,D\n": "must be user_id,first_name,last_name[,email]",
		"user_id,first_name\n":      "must be user_id,first_name,last_name[,email]",
		"user_id,first_name,last_name\nj,\xE9,D\n": "line 2: column first_name is not valid UTF-8",
		"user_id,first_name,last_name\nj,\"J,D\n":  "line 2",
	}
	for in, want := range cases {
		_, _, err := ParseUsersCSV(strings.NewReader(in))
		var ce *CSVError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v (want %q)", in, err, want)
		}
	}
}

func TestImportUsersCSV(t *testing.T) {
	st := openStore(t)
	csv := "user_id,first_name,last_name\njdoe,John,Doe\nasmith,Alice,Smith\n"
	res, err := ImportUsersCSV(st, strings.NewReader(csv), "users.csv", store.ImportOptions{})
	if err != nil || res.Imported != 2 {
		t.Fatalf("%+v, %v", res, err)
	}

	// A bad line refuses the whole file without --partial.
	bad := "user_id,first_name,last_name\nbob,Bob,Builder\nbad id\n"
	res, err = ImportUsersCSV(st, strings.NewReader(bad), "bad.csv", store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) || res.Imported != 0 || len(res.Rejected) != 1 || res.Rejected[0].Item != "line 3, column first_name" {
		t.Fatalf("refused: %+v, %v", res, err)
	}
	if _, err := st.User("bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob was imported by a refused import: %v", err)
	}
	res, err = ImportUsersCSV(st, strings.NewReader(bad), "bad.csv", store.ImportOptions{Partial: true})
	if err != nil || res.Imported != 1 || len(res.Rejected) != 1 {
		t.Fatalf("partial: %+v, %v", res, err)
	}
	// The audit record (newest first) counts the parser's rejection too.
	if recs, _ := st.AuditRecords(store.AuditFilter{Action: "import users"}); len(recs) == 0 ||
		!strings.Contains(recs[0].Details, "imported 1, updated 0, skipped 0, rejected 1 of 2") {
		t.Fatalf("audit after a partial import: %+v", recs)
	}

	// Existing users are skipped, or updated with Overwrite (--update).
	upd := "user_id,first_name,last_name,email\njdoe,Johnny,Doe,jd@example.com\nasmith,Alice,Smith,\n"
	res, err = ImportUsersCSV(st, strings.NewReader(upd), "upd.csv", store.ImportOptions{})
	if err != nil || res.Skipped != 2 || res.Updated != 0 {
		t.Fatalf("skip: %+v, %v", res, err)
	}
	res, err = ImportUsersCSV(st, strings.NewReader(upd), "upd.csv", store.ImportOptions{Overwrite: true})
	if err != nil || res.Updated != 1 || res.Skipped != 1 {
		t.Fatalf("update: %+v, %v", res, err)
	}
	if u, _ := st.User("jdoe"); u.FirstName != "Johnny" || u.Email != "jd@example.com" {
		t.Fatalf("jdoe is %+v", u)
	}
}
