package model

import (
	"strings"
	"testing"
)

func TestValidateUserID(t *testing.T) {
	cases := []struct {
		id, wantErr string
	}{
		{"jdoe", ""},
		{"j", ""},
		{"John.Doe@corp", ""},
		{"José", ""},
		{"a b", ""}, // inner spaces are printable
		{strings.Repeat("u", 64), ""},
		{strings.Repeat("é", 64), ""}, // characters, not bytes
		{strings.Repeat("u", 65), "65 characters"},
		{"", "blank"},
		{" jdoe", "space"},
		{"jdoe ", "space"},
		{"j\tdoe", "printed"},
		{"j\x1b[31mdoe", "printed"},
		{"j\u200bdoe", "printed"}, // zero-width space is a format character
	}
	for _, c := range cases {
		err := ValidateUserID(c.id)
		check(t, err, c.wantErr)
		if err != nil {
			wantField(t, err, "", FieldUserID)
		}
	}
}

func TestUserIDIsCaseSensitive(t *testing.T) {
	// Users are stored under their ID as written: no key folding exists for
	// them, unlike NameKey for jobs and profiles.
	if (User{ID: "jdoe"}).ID == (User{ID: "JDoe"}).ID {
		t.Fatal("jdoe and JDoe must be different users")
	}
}

func TestValidateEmail(t *testing.T) {
	cases := []struct {
		email, wantErr string
	}{
		{"", ""},
		{"jdoe@example.com", ""},
		{"j.doe+tokens@mail.example.co.uk", ""},
		{"John Doe <jdoe@example.com>", "plain e-mail"},
		{"<jdoe@example.com>", "plain e-mail"},
		{"jdoe", "plain e-mail"},
		{"jdoe@", "plain e-mail"},
		{"jdoe@localhost", "domain"},
		{"a@b.com, c@d.com", "plain e-mail"},
		{" jdoe@example.com", "plain e-mail"},
	}
	for _, c := range cases {
		err := ValidateEmail(c.email)
		check(t, err, c.wantErr)
	}
}

func TestUserValidate(t *testing.T) {
	cases := []struct {
		name   string
		u      User
		fields []string
	}{
		{"valid", User{ID: "jdoe", FirstName: "John", LastName: "Doe", Email: "jdoe@example.com"}, nil},
		{"names optional", User{ID: "jdoe"}, nil},
		{"all wrong", User{ID: "", FirstName: "J\x00", LastName: strings.Repeat("x", 129), Email: "nope"},
			[]string{FieldUserID, FieldFirstName, FieldLastName, FieldEmail}},
	}
	for _, c := range cases {
		err := c.u.Validate()
		if len(c.fields) == 0 && err != nil {
			t.Errorf("%s: unexpected %v", c.name, err)
		}
		for _, f := range c.fields {
			wantField(t, err, "", f)
		}
	}
	if got := (User{ID: "jdoe"}).FullName(); got != "jdoe" {
		t.Errorf("FullName without names = %q", got)
	}
}
