package jobs

import (
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/model"
)

// CTF jobs ("Generate Compressed Token Format Credentials") are file jobs
// with another writer: the plan, the frozen selection, the seeds drawn in
// serial order, the sealed seed spool, the atomic commit, recovery, the
// output and its download are the same code. Per token the ZIP holds
// <user-id>_<serial>.ctf.txt (a line on how to import, then the string),
// <user-id>_<serial>.png (a QR image of the link, for the link shapes), and
// at the end manifest.csv (no secrets; the nickname and the names travel
// only here, since a CTF string has no room for them) and credentials.csv
// (serial, user ID, e-mail, string: for a mail merge; it holds secrets, as
// the whole ZIP does).

// ctfManifestHeader names a CTF job's manifest.csv columns: no secrets.
var ctfManifestHeader = []string{"serial", "user_id", "first_name", "last_name", "nickname", "file", "qr_image", "ctf_form", "binding", "password_mode", "job_name", "batch_id"}

// credentialsHeader names credentials.csv's columns.
var credentialsHeader = []string{"serial", "user_id", "email", "ctf_string"}

// CTFEntryName is a token's CTF text file in the ZIP:
// <user-id>_<serial>.ctf.txt, made safe as EntryName.
func CTFEntryName(userID, serial string) string { return entryName(userID, serial, ".ctf.txt") }

// QREntryName is a token's QR image in the ZIP: <user-id>_<serial>.png.
func QREntryName(userID, serial string) string { return entryName(userID, serial, ".png") }

// ctfItem is what a CTF job's worker needs for one token.
type ctfItem struct {
	tok      ctf.Token // Seed is set from item.seed by the worker
	deviceID string
	pngName  string // "" = no QR image
	userID   string
	email    string
}

// CTFForm maps a job's or a request's CTF shape to the library's form.
func CTFForm(s model.CTFShape) ctf.Form {
	switch s {
	case model.CTFShapeIPhone:
		return ctf.FormIPhone
	case model.CTFShapeAndroid:
		return ctf.FormAndroid
	}
	return ctf.FormBlocks
}

// CTFImportLine is the line of a token's .ctf.txt on how to import the
// string (CTFText). It begins with a letter and holds no "ctfData=", so
// stoken (and the apps) reading the whole file find the string itself.
func CTFImportLine(s model.CTFShape, pngName string) string {
	switch s {
	case model.CTFShapeIPhone, model.CTFShapeAndroid:
		dev := "iPhone"
		if s == model.CTFShapeAndroid {
			dev = "Android device"
		}
		return fmt.Sprintf("To import this token, open the link in this file on your %s with the SecurID app installed, or scan the QR code in %s with its camera.", dev, pngName)
	}
	return "To import this token, paste the digits in this file into your SecurID app's Import from Web or Email (CTF) field; the dashes may be kept."
}

// CTFText is a token's .ctf.txt: the string and the import line, laid out
// so that stoken --file=NAME.ctf.txt imports it as it is. A v2 string comes
// first: stoken reads v2 device binding through the links with 40
// characters of the device ID only when the file begins with the link
// (ctf-format.md 2.2 step 4), and stops reading digits at the line end. A
// v3 string comes last, since stoken takes everything after ctfData= to the
// end of the file (2.4).
func CTFText(str string, form model.CTFForm, shape model.CTFShape, pngName string) string {
	line := CTFImportLine(shape, pngName)
	if form == model.CTFv3 {
		return line + "\n" + str + "\n"
	}
	return str + "\n" + line + "\n"
}

// nonceReader hands out one v3 nonce drawn by the feeder, so that the same
// random source gives the same ZIP whatever the number of workers.
type nonceReader struct {
	b    [16]byte
	read bool
}

func (n *nonceReader) Read(p []byte) (int, error) {
	if n.read {
		return 0, errors.New("the v3 nonce was read twice")
	}
	n.read = true
	return copy(p, n.b[:]), nil
}

// writeOneCTF encodes, compresses and seals one token's CTF string (and its
// QR image).
func (e *Engine) writeOneCTF(jc *jobContext, it item) (entry, error) {
	c := it.ctf
	c.tok.Seed = it.seed
	defer clear(c.tok.Seed[:])
	nonce := &nonceReader{b: it.secret}
	defer clear(nonce.b[:])
	str, err := ctf.Encode(c.tok, ctf.Options{
		Version: jc.job.Spec.CTFForm.Version(), Form: CTFForm(jc.job.Spec.CTFShape),
		Password: it.password, DeviceID: c.deviceID, Rand: nonce,
	})
	if err != nil {
		return entry{}, fmt.Errorf("token %s: %w", it.serial, err)
	}
	text := CTFText(str, jc.job.Spec.CTFForm, jc.job.Spec.CTFShape, c.pngName)
	// Stored, not deflated: the text is a few hundred bytes of digits or
	// base64, which deflate shrinks little, and a compressor's reset per
	// file cost more than the string's whole key and MAC work.
	buf := cbufPool.Get().(*[]byte)
	*buf = append((*buf)[:0], text...)
	ent := entry{
		idx: it.idx, serial: it.serial, name: it.name, stored: true,
		buf: buf, crc: crc32.ChecksumIEEE(*buf), size: uint64(len(text)),
		ctfString: str, userID: c.userID, email: c.email,
	}
	if c.pngName != "" {
		png, err := e.opts.QRImage(str)
		if err != nil {
			return entry{}, fmt.Errorf("token %s: the QR image: %w", it.serial, err)
		}
		ent.pngName, ent.png, ent.pngCRC = c.pngName, png, crc32.ChecksumIEEE(png)
	}
	sealed, err := e.st.SealSeed(it.serial, it.seed[:])
	if err != nil {
		return entry{}, err
	}
	ent.sealed = sealed
	return ent, nil
}
