package model

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError says what is wrong with one field, so the console can show it
// next to that field and the command line can name it. Item names the row
// the field belongs to when a form has several (for example the profile of
// a self-service settings entry); it is empty for a top-level field.
type FieldError struct {
	Item  string
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	what := e.Msg
	if e.Field != "" {
		// An error of no field (a store that is in use, say) reads as
		// itself, not as ": <message>".
		what = e.Field + ": " + e.Msg
	}
	if e.Item != "" {
		return e.Item + ": " + what
	}
	return what
}

// fieldErr builds a *FieldError with a formatted message. Callers never pass
// a password as an argument.
func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// itemErr is fieldErr for a field of a named row.
func itemErr(item, field, format string, args ...any) *FieldError {
	return &FieldError{Item: item, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// FieldErrors collects every field error of one form, because a form is
// saved all or nothing and the admin should see all problems at once, not
// one per attempt.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap lets errors.As find the individual *FieldError values.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Err returns nil when there are no errors. Returning the empty slice as an
// error would give a non-nil interface, so validators always end with Err.
func (es FieldErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Add appends err, flattening FieldErrors and a lone *FieldError. Any other
// error is kept under field as is, so nothing is lost.
func (es *FieldErrors) Add(field string, err error) {
	if err == nil {
		return
	}
	var many FieldErrors
	if errors.As(err, &many) {
		*es = append(*es, many...)
		return
	}
	var one *FieldError
	if errors.As(err, &one) {
		*es = append(*es, one)
		return
	}
	*es = append(*es, &FieldError{Field: field, Msg: err.Error()})
}

// For returns the errors about field (of any item), in order, so a form can
// show them at that field.
func (es FieldErrors) For(field string) []*FieldError {
	var out []*FieldError
	for _, e := range es {
		if e.Field == field {
			out = append(out, e)
		}
	}
	return out
}

// AsFieldErrors turns any validation error into FieldErrors (nil for nil),
// so callers can range over a result without caring whether one or several
// fields were wrong.
func AsFieldErrors(err error) FieldErrors {
	var es FieldErrors
	es.Add("", err)
	return es
}

// Field names used in errors. They are the labels the admin sees, so an
// error reads naturally on its own, and the console matches on them to put
// each message at its field.
const (
	FieldSerial       = "Serial"
	FieldKind         = "Kind"
	FieldAlgorithm    = "Algorithm"
	FieldBirth        = "Birth"
	FieldDeath        = "Death"
	FieldAssignedUser = "Assigned user"
	FieldTimesDist    = "Times distributed"
	FieldBinding      = "Binding"

	FieldUserID    = "User ID"
	FieldFirstName = "First name"
	FieldLastName  = "Last name"
	FieldEmail     = "E-mail"

	FieldProfileName     = "Name"
	FieldDescription     = "Description"
	FieldDeviceType      = "Device type"
	FieldDeviceGUID      = "Device class GUID"
	FieldDeliveryMethod  = "Delivery method"
	FieldTokencodeLength = "Tokencode length"
	FieldDuration        = "Tokencode duration"
	FieldAuthType        = "Authentication type"

	FieldSelected          = "Selected"
	FieldDisplayName       = "Display Name"
	FieldImageLocation     = "Image Location"
	FieldConfirmed         = "Confirmed"
	FieldAppDownloadURL    = "Application Installation Download URL"
	FieldHelpDocURL        = "Device Help Document URL"
	FieldDefault           = "Default"
	FieldReplacementWindow = "Expiring Token Parameters"

	FieldJobName         = "Job Name"
	FieldProfile         = "Software Token Profile"
	FieldDeviceSerial    = "DeviceSerialNumber"
	FieldNickname        = "Nickname"
	FieldPasswordMode    = "Password protection"
	FieldPassword        = "Password"
	FieldPasswordConfirm = "Confirm password"
	FieldFrom            = "From serial"
	FieldTo              = "To serial"
	FieldCriteria        = "Token selection criteria"
	FieldConfirmation    = "Confirmation"
	FieldState           = "State"
	FieldCTFForm         = "CTF form"
)

// refield reports a field error under another field name: the user ID rule,
// for example, is the "Assigned user" field of a token. nil stays nil.
func refield(err error, field string) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Item: fe.Item, Field: field, Msg: fe.Msg}
	}
	return &FieldError{Field: field, Msg: err.Error()}
}
