package model

import (
	"fmt"
	"strings"
)

// DeviceType is a software token device class. Its GUID goes into token
// files as the DeviceSerialNumber for class binding.
type DeviceType string

const (
	DeviceIPhone       DeviceType = "iPhone"
	DeviceAndroid      DeviceType = "Android"
	DeviceBlackBerry   DeviceType = "BlackBerry"
	DeviceBlackBerry10 DeviceType = "BlackBerry 10"
	DeviceWindowsPhone DeviceType = "Windows Phone"
	DeviceWindows      DeviceType = "Windows"
	DeviceMacOS        DeviceType = "macOS"
	// DeviceOther is a class the console does not know; the admin supplies
	// its GUID.
	DeviceOther DeviceType = "Other"
)

// deviceClasses is the one table of known device classes: GUIDs from
// product.md section 2, default image paths for self-service settings.
var deviceClasses = []struct {
	t     DeviceType
	guid  string
	image string
}{
	{DeviceIPhone, "556f1985-33dd-442c-9155-3a0e994f21b1", "images/iphone.png"},
	{DeviceAndroid, "a01c4380-fc01-4df0-b113-7fb98ec74694", "images/android.png"},
	{DeviceBlackBerry, "868c28f8-31bf-4911-9876-ebece5c3f2ab", "images/blackberry.png"},
	{DeviceBlackBerry10, "b77a1d06-d505-4200-90d3-1bb397748704", "images/blackberry10.png"},
	{DeviceWindowsPhone, "c483b592-63f0-4f19-b4cb-a6bce8e57159", "images/windowsphone.png"},
	{DeviceWindows, "8f94b226-d362-4204-ac52-3b21fa333b6f", "images/windows.png"},
	{DeviceMacOS, "d0955a53-569b-4ecc-9cf7-6c2a59d4e775", "images/macos.png"},
	{DeviceOther, "", "images/other.png"},
}

// DeviceTypes lists every device type in display order, Other last.
func DeviceTypes() []DeviceType {
	out := make([]DeviceType, len(deviceClasses))
	for i, c := range deviceClasses {
		out[i] = c.t
	}
	return out
}

// ParseDeviceType accepts a device type name in any case.
func ParseDeviceType(s string) (DeviceType, error) {
	for _, c := range deviceClasses {
		if strings.EqualFold(strings.TrimSpace(s), string(c.t)) {
			return c.t, nil
		}
	}
	return "", fieldErr(FieldDeviceType, "%q is not a device type; use one of %s", s, joinDeviceTypes())
}

func joinDeviceTypes() string {
	names := make([]string, len(deviceClasses))
	for i, c := range deviceClasses {
		names[i] = string(c.t)
	}
	return strings.Join(names, ", ")
}

// Valid reports a known device type (Other included).
func (d DeviceType) Valid() bool {
	for _, c := range deviceClasses {
		if c.t == d {
			return true
		}
	}
	return false
}

// GUID is the class GUID of a known device type, "" for Other or unknown.
func (d DeviceType) GUID() string {
	for _, c := range deviceClasses {
		if c.t == d {
			return c.guid
		}
	}
	return ""
}

// DefaultImage is the image path self-service settings fill in when a
// profile of this type is selected.
func (d DeviceType) DefaultImage() string {
	for _, c := range deviceClasses {
		if c.t == d {
			return c.image
		}
	}
	return "images/other.png"
}

// DeviceTypeForGUID names the known class with this GUID (any case), so a
// device ID that is really another class's GUID can be caught.
func DeviceTypeForGUID(guid string) (DeviceType, bool) {
	for _, c := range deviceClasses {
		if c.guid != "" && strings.EqualFold(c.guid, strings.TrimSpace(guid)) {
			return c.t, true
		}
	}
	return "", false
}

// ValidGUID reports the 8-4-4-4-12 hexadecimal GUID shape, in either case.
func ValidGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// DeliveryMethod is how a profile's tokens reach the device. Only the
// file-based method can be used by distribution jobs.
type DeliveryMethod string

const (
	DeliveryFile  DeliveryMethod = "File-based (SDTID)"
	DeliveryCTF   DeliveryMethod = "Compressed Token Format (CTF)"
	DeliveryCTKIP DeliveryMethod = "Dynamic Seed Provisioning (CT-KIP)"
	DeliveryQR    DeliveryMethod = "QR code (CT-KIP)"
)

// DeliveryMethods lists the methods in display order.
func DeliveryMethods() []DeliveryMethod {
	return []DeliveryMethod{DeliveryFile, DeliveryCTF, DeliveryCTKIP, DeliveryQR}
}

// deliveryAliases are the short spellings a script may use.
var deliveryAliases = map[string]DeliveryMethod{
	"sdtid": DeliveryFile, "file": DeliveryFile, "file-based": DeliveryFile,
	"ctf": DeliveryCTF, "ct-kip": DeliveryCTKIP, "ctkip": DeliveryCTKIP, "qr": DeliveryQR,
}

// ParseDeliveryMethod accepts the full label in any case or a short alias
// (sdtid, ctf, ct-kip, qr).
func ParseDeliveryMethod(s string) (DeliveryMethod, error) {
	for _, m := range DeliveryMethods() {
		if strings.EqualFold(strings.TrimSpace(s), string(m)) {
			return m, nil
		}
	}
	if m, ok := deliveryAliases[NameKey(s)]; ok {
		return m, nil
	}
	return "", fieldErr(FieldDeliveryMethod, "%q is not a delivery method; use sdtid, ctf, ct-kip or qr", s)
}

// Valid reports a known delivery method.
func (m DeliveryMethod) Valid() bool {
	for _, k := range DeliveryMethods() {
		if k == m {
			return true
		}
	}
	return false
}

// IsFileBased reports whether jobs may distribute this profile's tokens as
// SDTID files.
func (m DeliveryMethod) IsFileBased() bool { return m == DeliveryFile }

// AuthType is how the user's PIN combines with the tokencode.
type AuthType string

const (
	// AuthPINPad folds the PIN into the code in the app (SDTID AddPIN=1).
	AuthPINPad AuthType = "PINPad-style"
	// AuthFob has the PIN typed before the code (AddPIN=0).
	AuthFob AuthType = "Fob-style"
	// AuthTokencodeOnly uses no PIN (AddPIN=0).
	AuthTokencodeOnly AuthType = "Tokencode only"
)

// AuthTypes lists the authentication types in display order.
func AuthTypes() []AuthType { return []AuthType{AuthPINPad, AuthFob, AuthTokencodeOnly} }

var authAliases = map[string]AuthType{
	"pinpad": AuthPINPad, "fob": AuthFob, "tokencode": AuthTokencodeOnly, "tokencode-only": AuthTokencodeOnly,
}

// ParseAuthType accepts the label in any case or pinpad, fob, tokencode.
func ParseAuthType(s string) (AuthType, error) {
	for _, a := range AuthTypes() {
		if strings.EqualFold(strings.TrimSpace(s), string(a)) {
			return a, nil
		}
	}
	if a, ok := authAliases[NameKey(s)]; ok {
		return a, nil
	}
	return "", fieldErr(FieldAuthType, "%q is not an authentication type; use pinpad, fob or tokencode", s)
}

// Valid reports a known authentication type.
func (a AuthType) Valid() bool { return a == AuthPINPad || a == AuthFob || a == AuthTokencodeOnly }

// AddPIN is the SDTID AddPIN flag: only PINPad-style folds the PIN in.
func (a AuthType) AddPIN() bool { return a == AuthPINPad }

const (
	// MaxProfileNameLen is the longest profile name, in characters.
	MaxProfileNameLen = 128
	// MaxDescriptionLen bounds free-text descriptions; the specification
	// sets no limit, this one keeps a pasted file out of the store.
	MaxDescriptionLen = 4096
)

// Profile is a software token profile: what kind of token a user receives.
type Profile struct {
	Name        string
	Description string
	DeviceType  DeviceType
	// OtherGUID is the admin-supplied class GUID when DeviceType is Other;
	// it is ignored for known classes.
	OtherGUID       string
	DeliveryMethod  DeliveryMethod
	TokencodeLength int // digits: 6 or 8
	Duration        int // seconds: 30 or 60
	AuthType        AuthType
}

// NewProfile returns a profile with the usual defaults (file-based, 8
// digits, 60 seconds, PINPad-style) for the console's "add" form.
func NewProfile(name string, dt DeviceType) Profile {
	return Profile{
		Name: name, DeviceType: dt, DeliveryMethod: DeliveryFile,
		TokencodeLength: 8, Duration: 60, AuthType: AuthPINPad,
	}
}

// ClassGUID is the device class GUID used for class binding, lower case.
func (p Profile) ClassGUID() string {
	if p.DeviceType == DeviceOther {
		return strings.ToLower(strings.TrimSpace(p.OtherGUID))
	}
	return p.DeviceType.GUID()
}

// ValidateName checks a profile or job-style name: 1-max characters, no
// control characters and no surrounding spaces (they would make two names
// look the same on screen).
func validateName(field, name string, max int) error {
	switch n := charLen(name); {
	case strings.TrimSpace(name) == "":
		return fieldErr(field, "must not be blank")
	case n > max:
		return fieldErr(field, "is %d characters; at most %d are allowed", n, max)
	case hasControl(name):
		return fieldErr(field, "contains a control character")
	case name != strings.TrimSpace(name):
		return fieldErr(field, "begins or ends with a space")
	}
	return nil
}

// ValidateProfileName checks a profile name (1-128 characters). Uniqueness
// is the store's check, comparing NameKey.
func ValidateProfileName(name string) error {
	return validateName(FieldProfileName, name, MaxProfileNameLen)
}

// validateFreeText checks a multi-line description.
func validateFreeText(field, s string) error {
	switch n := charLen(s); {
	case n > MaxDescriptionLen:
		return fieldErr(field, "is %d characters; at most %d are allowed", n, MaxDescriptionLen)
	case hasControlExceptLayout(s):
		return fieldErr(field, "contains a control character")
	}
	return nil
}

// Validate checks a profile, reporting every wrong field.
func (p Profile) Validate() error {
	var es FieldErrors
	es.Add(FieldProfileName, ValidateProfileName(p.Name))
	es.Add(FieldDescription, validateFreeText(FieldDescription, p.Description))
	switch {
	case !p.DeviceType.Valid():
		es.Add(FieldDeviceType, fieldErr(FieldDeviceType, "%q is not a device type; use one of %s", string(p.DeviceType), joinDeviceTypes()))
	case p.DeviceType == DeviceOther:
		g := strings.TrimSpace(p.OtherGUID)
		switch {
		case g == "":
			es.Add(FieldDeviceGUID, fieldErr(FieldDeviceGUID, "is required for device type Other"))
		case !ValidGUID(g):
			es.Add(FieldDeviceGUID, fieldErr(FieldDeviceGUID, "%q is not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hexadecimal)", p.OtherGUID))
		default:
			// A known class's GUID under Other would make two names for one
			// class; the admin should pick the class itself.
			if known, ok := DeviceTypeForGUID(g); ok {
				es.Add(FieldDeviceGUID, fieldErr(FieldDeviceGUID, "%s is the %s class GUID; choose device type %s instead of Other", g, known, known))
			}
		}
	}
	if !p.DeliveryMethod.Valid() {
		es.Add(FieldDeliveryMethod, fieldErr(FieldDeliveryMethod, "%q is not a delivery method", string(p.DeliveryMethod)))
	}
	if p.TokencodeLength != 6 && p.TokencodeLength != 8 {
		es.Add(FieldTokencodeLength, fieldErr(FieldTokencodeLength, "must be 6 or 8 digits (got %d)", p.TokencodeLength))
	}
	if p.Duration != 30 && p.Duration != 60 {
		es.Add(FieldDuration, fieldErr(FieldDuration, "must be 30 or 60 seconds (got %d)", p.Duration))
	}
	if !p.AuthType.Valid() {
		es.Add(FieldAuthType, fieldErr(FieldAuthType, "%q is not an authentication type", string(p.AuthType)))
	}
	return es.Err()
}

// ValidateProfileEdit checks an edit of old into new: new must be valid and
// the device type, with its GUID, is locked once the profile exists, because
// files already handed out are bound to that class.
func ValidateProfileEdit(old, new Profile) error {
	es := AsFieldErrors(new.Validate())
	if old.DeviceType != new.DeviceType {
		es = append(es, fieldErr(FieldDeviceType, "cannot change from %s to %s: the device type is locked once the profile exists; create a new profile instead", old.DeviceType, new.DeviceType))
	} else if old.DeviceType == DeviceOther && !strings.EqualFold(strings.TrimSpace(old.OtherGUID), strings.TrimSpace(new.OtherGUID)) {
		es = append(es, fieldErr(FieldDeviceGUID, "cannot change: the device class is locked once the profile exists; create a new profile instead"))
	}
	return es.Err()
}

// ConfirmFingerprint captures the profile fields that self-service settings
// show read-only and the admin confirms. A settings entry is confirmed while
// its stored fingerprint equals the profile's current one, so any edit of
// these fields makes the confirmation lapse by itself, with no bookkeeping
// in the profile editor.
func ConfirmFingerprint(p Profile) string {
	return fmt.Sprintf("duration=%d;length=%d;auth=%s;delivery=%s", p.Duration, p.TokencodeLength, p.AuthType, p.DeliveryMethod)
}

// ProfileEditNote is what the edit screen says about files already out.
const ProfileEditNote = "Editing a profile never changes token files already handed out."

// ProfileInUseError says why a profile cannot be deleted, naming what refers
// to it. The store finds the references; the wording lives here.
func ProfileInUseError(name string, refs []string) error {
	return &FieldError{Item: name, Field: FieldProfile,
		Msg: "cannot be deleted: it is used by " + strings.Join(refs, ", ")}
}
