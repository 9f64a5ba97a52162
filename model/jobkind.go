package model

import (
	"fmt"
	"time"
)

// JobKind is a distribution job's type. It follows the profile's delivery
// method (JobKindFor): file-based profiles make "Generate Software Token
// Files" jobs, CTF profiles "Generate Compressed Token Format Credentials"
// jobs. Everything else about a job (criteria, summary, redistribution, the
// atomic commit, recovery, download, delete) is the same for both. The
// value is the stored and command line form.
type JobKind string

const (
	// JobKindFiles writes one SDTID file per token.
	JobKindFiles JobKind = "sdtid"
	// JobKindCTF writes one CTF string per token (and a QR image of the
	// link forms).
	JobKindCTF JobKind = "ctf"
)

// OrFiles is k, or JobKindFiles for a job stored before jobs had kinds.
func (k JobKind) OrFiles() JobKind {
	if k == "" {
		return JobKindFiles
	}
	return k
}

// Label is the job type as RSA's console names it.
func (k JobKind) Label() string {
	switch k.OrFiles() {
	case JobKindFiles:
		return "Generate Software Token Files"
	case JobKindCTF:
		return "Generate Compressed Token Format Credentials"
	}
	return "Unknown job type (" + string(k) + ")"
}

// Valid reports a known kind ("" counts as files).
func (k JobKind) Valid() bool {
	switch k.OrFiles() {
	case JobKindFiles, JobKindCTF:
		return true
	}
	return false
}

// CanDeliver reports whether jobs can use a profile with this delivery
// method: file-based and CTF can; the CT-KIP methods cannot deliver yet.
func (m DeliveryMethod) CanDeliver() bool { return m == DeliveryFile || m == DeliveryCTF }

// CannotDeliverYet is the one wording of why a CT-KIP profile cannot be used.
func CannotDeliverYet(profile string, m DeliveryMethod) string {
	return fmt.Sprintf("profile %q delivers by %s, which cannot deliver yet: no job can use it (choose a %s or %s profile)",
		profile, m, DeliveryFile, DeliveryCTF)
}

// JobKindFor is the job kind of a profile's delivery method, or a
// *FieldError on the profile field saying plainly that the method cannot
// deliver yet.
func JobKindFor(profile string, m DeliveryMethod) (JobKind, error) {
	switch m {
	case DeliveryFile:
		return JobKindFiles, nil
	case DeliveryCTF:
		return JobKindCTF, nil
	case DeliveryCTKIP, DeliveryQR:
		return "", fieldErr(FieldProfile, "%s", CannotDeliverYet(profile, m))
	}
	return "", fieldErr(FieldProfile, "profile %q has an unknown delivery method %q", profile, string(m))
}

// SuggestedJobNameFor is the wizard's default job name for a kind at t.
func SuggestedJobNameFor(k JobKind, t time.Time) string {
	return k.Label() + " " + t.Format(time.DateTime)
}

// CTFForm is the CTF version a CTF job writes: v2 (81 digits, the
// default) or v3 (base64 behind the link, stronger key derivation), which
// only the phone device types (iPhone, Android) take. The value is the
// stored and command line form.
type CTFForm string

const (
	CTFv2 CTFForm = "v2"
	CTFv3 CTFForm = "v3"
)

// ParseCTFForm reads v2 or v3 (any case, "2" and "3" too).
func ParseCTFForm(s string) (CTFForm, error) {
	switch NameKey(s) {
	case "v2", "2":
		return CTFv2, nil
	case "v3", "3":
		return CTFv3, nil
	}
	return "", fieldErr(FieldCTFForm, "%q is not a CTF form; use v2 (81 digits, the default) or v3 (phone profiles only)", s)
}

// Version is 2 or 3 (0 for an unknown form).
func (f CTFForm) Version() int {
	switch f {
	case CTFv2:
		return 2
	case CTFv3:
		return 3
	}
	return 0
}

// CTFShape is how a CTF string is written for a device type (product.md
// section 11): the iPhone link, the Android link, or, for every other
// device type, the 81 digits in blocks of five.
type CTFShape string

const (
	CTFShapeIPhone  CTFShape = "iphone"
	CTFShapeAndroid CTFShape = "android"
	CTFShapeBlocks  CTFShape = "blocks"
)

// IsPhone reports the device types whose app opens a CTF link (and takes
// the v3 form).
func (d DeviceType) IsPhone() bool { return d == DeviceIPhone || d == DeviceAndroid }

// CTFShapeFor is the string shape for a device type.
func CTFShapeFor(d DeviceType) CTFShape {
	switch d {
	case DeviceIPhone:
		return CTFShapeIPhone
	case DeviceAndroid:
		return CTFShapeAndroid
	}
	return CTFShapeBlocks
}

// IsLink reports a link shape, which gets a QR image.
func (s CTFShape) IsLink() bool { return s == CTFShapeIPhone || s == CTFShapeAndroid }

// CTFLabel words a CTF job's strings for the summary and the job details:
// "iPhone link, v2 (81 digits)".
func CTFLabel(s CTFShape, f CTFForm) string {
	var what string
	switch s {
	case CTFShapeIPhone:
		what = "iPhone link"
	case CTFShapeAndroid:
		what = "Android link"
	case CTFShapeBlocks:
		return "81 digits in blocks of five (v2)"
	default:
		what = "unknown shape " + string(s)
	}
	switch f {
	case CTFv3:
		return what + ", v3 (base64)"
	}
	return what + ", v2 (81 digits)"
}

// CTFManifestNote is the wizard's and summary's note on what a CTF string
// does not carry.
const CTFManifestNote = "The CTF string carries no nickname and no user names: they go into manifest.csv only."

// NoCTFFormLabel is the wording of the NoCTFForm reason.
const NoCTFFormLabel = "64-bit token: no CTF form"

// validateCTF checks the CTF fields of a spec of kind k against profile p.
func (s JobSpec) validateCTF(k JobKind, p Profile) error {
	if k != JobKindCTF {
		if s.CTFForm != "" || s.CTFShape != "" {
			return fieldErr(FieldCTFForm, "a CTF form is only for CTF profiles; profile %q delivers by %s", p.Name, p.DeliveryMethod)
		}
		return nil
	}
	switch s.CTFForm {
	case CTFv2:
	case CTFv3:
		if !p.DeviceType.IsPhone() {
			return fieldErr(FieldCTFForm, "v3 is only for iPhone and Android profiles; profile %q is for %s, whose tokens get the 81 digits in blocks of five (v2)", p.Name, p.DeviceType)
		}
	case "":
		return fieldErr(FieldCTFForm, "choose the CTF form: v2 (81 digits) or v3")
	default:
		return fieldErr(FieldCTFForm, "%q is not a CTF form; use v2 or v3", string(s.CTFForm))
	}
	if want := CTFShapeFor(p.DeviceType); s.CTFShape != want {
		return fieldErr(FieldCTFForm, "the CTF string shape %q does not fit profile %q (%s: %s)", string(s.CTFShape), p.Name, p.DeviceType, want)
	}
	return nil
}

// FillFromProfile sets what a spec leaves empty as the planner does for
// profile p: the kind follows the profile's delivery method (left empty
// when it has none: Validate says why), a CTF job's form defaults to v2,
// and its string shape follows the device type.
func (s *JobSpec) FillFromProfile(p Profile) {
	if s.Kind == "" {
		if k, err := JobKindFor(p.Name, p.DeliveryMethod); err == nil {
			s.Kind = k
		}
	}
	if s.Kind == JobKindCTF {
		if s.CTFForm == "" {
			s.CTFForm = CTFv2
		}
		if s.CTFShape == "" {
			s.CTFShape = CTFShapeFor(p.DeviceType)
		}
	}
}

// WantsQRImages reports whether the job writes a QR image (PNG) of each
// string: CTF jobs whose strings are links.
func (s JobSpec) WantsQRImages() bool {
	return s.Kind == JobKindCTF && s.CTFShape.IsLink()
}

// Eligibility is model.Eligibility for this job: a CTF job also leaves out
// 64-bit tokens, which have no CTF form (NoCTFForm, checked before the
// password length, whose limit for them would not apply).
func (s JobSpec) Eligibility(t Token, adminPassword string, now time.Time) Reason {
	r := Eligibility(t, s.PasswordMode, adminPassword, now)
	if s.Kind == JobKindCTF && t.Algorithm != AlgAES128 && (r == Eligible || r == PasswordTooLong) {
		return NoCTFForm
	}
	return r
}
