package model

import (
	"errors"
	"strings"
	"testing"
)

func TestFieldErrors(t *testing.T) {
	var es FieldErrors
	if es.Err() != nil {
		t.Fatal("empty FieldErrors must give a nil error")
	}
	es.Add("ignored", nil)
	es.Add("x", fieldErr("A", "bad a"))
	es.Add("x", FieldErrors{fieldErr("B", "bad b"), itemErr("row", "C", "bad c")})
	es.Add("D", errors.New("plain"))
	err := es.Err()
	if len(es) != 4 {
		t.Fatalf("want 4 errors, got %d: %v", len(es), err)
	}
	want := "A: bad a; B: bad b; row: C: bad c; D: plain"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "A" {
		t.Errorf("errors.As must find the first *FieldError, got %v", fe)
	}
	if got := es.For("C"); len(got) != 1 || got[0].Item != "row" {
		t.Errorf("For(C) = %v", got)
	}
	if AsFieldErrors(nil) != nil {
		t.Error("AsFieldErrors(nil) must be nil")
	}
}

func TestNameKey(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"Staff iPhone", "staff iphone", true},
		{" Staff ", "STAFF", true},
		{"Ärzte", "ärzte", true},
		{"Staff 1", "Staff 2", false},
	}
	for _, c := range cases {
		if got := SameName(c.a, c.b); got != c.same {
			t.Errorf("SameName(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	if NameKey(NameKey(" AbC ")) != NameKey(" AbC ") || !strings.EqualFold(NameKey("AbC"), "abc") {
		t.Error("NameKey must be idempotent and case-folded")
	}
}

// TestFieldErrorOfNoFieldReadsAsItsMessage: an error collected under no
// field (AsFieldErrors of a store error) does not start with ": ".
func TestFieldErrorOfNoFieldReadsAsItsMessage(t *testing.T) {
	es := AsFieldErrors(errors.New("store is in use by pid 7"))
	if len(es) != 1 || es[0].Error() != "store is in use by pid 7" {
		t.Fatalf("%q", es.Error())
	}
	if got := (&FieldError{Item: "line 3", Msg: "bad"}).Error(); got != "line 3: bad" {
		t.Fatalf("%q", got)
	}
	if got := (&FieldError{Item: "line 3", Field: "User ID", Msg: "bad"}).Error(); got != "line 3: User ID: bad" {
		t.Fatalf("%q", got)
	}
}
