package model

import (
	"net/mail"
	"strings"
)

const (
	// MaxUserIDLen is the longest user ID (login), in characters.
	MaxUserIDLen = 64
	// MaxPersonNameLen bounds first and last names. The specification sets
	// no limit; this one only stops a corrupt CSV cell from becoming a name.
	MaxPersonNameLen = 128
)

// User is a person who can hold tokens. ID is the login, unique and
// case-sensitive as written ("jdoe" and "JDoe" are two users), because the
// directories the logins come from may distinguish them.
type User struct {
	ID        string
	FirstName string
	LastName  string
	Email     string
}

// ValidateUserID checks a login: 1-64 printable characters without
// surrounding spaces. Spaces at the ends are refused rather than trimmed,
// because the ID is kept exactly as written and becomes part of token file
// passwords and file names, where an invisible space would be a trap.
func ValidateUserID(id string) error {
	switch n := charLen(id); {
	case n == 0:
		return fieldErr(FieldUserID, "must not be blank")
	case n > MaxUserIDLen:
		return fieldErr(FieldUserID, "is %d characters; at most %d are allowed", n, MaxUserIDLen)
	case !allPrintable(id):
		return fieldErr(FieldUserID, "%q contains a character that cannot be printed", id)
	case id != strings.TrimSpace(id):
		return fieldErr(FieldUserID, "%q begins or ends with a space", id)
	}
	return nil
}

// ValidateEmail accepts a blank address (the e-mail is optional) or one
// plain address such as jdoe@example.com: no display name, no angle
// brackets, no list, as net/mail reads it.
func ValidateEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return fieldErr(FieldEmail, "%q is not a plain e-mail address like name@example.com", email)
	}
	// net/mail accepts "a@b"; an address a mail server can route has a dot
	// in its domain, and anything else is almost always a typo.
	at := strings.LastIndexByte(a.Address, '@')
	if domain := a.Address[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return fieldErr(FieldEmail, "%q has no valid domain after the @", email)
	}
	return nil
}

// validatePersonName checks a first or last name: optional free text on one
// line, without control characters.
func validatePersonName(field, name string) error {
	switch n := charLen(name); {
	case n > MaxPersonNameLen:
		return fieldErr(field, "is %d characters; at most %d are allowed", n, MaxPersonNameLen)
	case hasControl(name):
		return fieldErr(field, "contains a control character")
	}
	return nil
}

// Validate checks a user record, reporting every wrong field.
func (u User) Validate() error {
	var es FieldErrors
	es.Add(FieldUserID, ValidateUserID(u.ID))
	es.Add(FieldFirstName, validatePersonName(FieldFirstName, u.FirstName))
	es.Add(FieldLastName, validatePersonName(FieldLastName, u.LastName))
	es.Add(FieldEmail, ValidateEmail(u.Email))
	return es.Err()
}

// FullName is "First Last", or the ID when both names are blank.
func (u User) FullName() string {
	n := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if n == "" {
		return u.ID
	}
	return n
}
