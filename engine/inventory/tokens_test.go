package inventory

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

func TestImportTokenFilesStoresSealedDisabledUnassignedTokens(t *testing.T) {
	st := openStore(t)
	files := []NamedData{vector(t, "f01-8d-60s-addpin-nopw.sdtid"), vector(t, "f09-short-sn.sdtid"), vector(t, "tamper/DefAlg-0.sdtid")}
	// DefAlg-0 is f01 with another Alg; give it its own serial by importing
	// it separately below.
	res, err := ImportTokenFiles(st, files[:2], TokenFileOptions{}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || res.Skipped != 0 || len(res.Rejected) != 0 {
		t.Fatalf("result %+v", res)
	}
	f01, err := st.Token("123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if f01.Kind != model.KindSoftware || f01.Algorithm != model.AlgAES128 || f01.AssignedUser != "" || f01.Enabled {
		t.Fatalf("f01 stored as %+v", f01)
	}
	if got := f01.Death.Format(time.DateOnly); got != "2035-12-31" {
		t.Fatalf("death %s", got)
	}
	if got := f01.Birth.Format(time.DateOnly); got != "2024-01-01" {
		t.Fatalf("birth %s", got)
	}
	if d := f01.Distribution; d.Digits != 8 || d.IntervalSeconds != 60 || !d.AddPIN || d.Count != 0 {
		t.Fatalf("f01 code settings %+v, want 8 digits, 60 s, PIN added, never distributed", d)
	}
	mustSeed(t, st, f01, "1c3510a712e3406f01da9818296f382b")
	seed, _ := hex.DecodeString("1c3510a712e3406f01da9818296f382b")
	if strings.Contains(string(f01.SealedSeed), string(seed)) {
		t.Fatal("the stored seed is not sealed")
	}

	short, err := st.Token("12345678")
	if err != nil {
		t.Fatal(err)
	}
	if short.Kind != model.KindHardware {
		t.Fatalf("an 8-digit serial is kept as a hardware-style token, got %s", short.Kind)
	}
	mustSeed(t, st, short, "391d71a8570455e0ef769398b5362a82")

	// Alg 0 is a 64-bit token; its serial equals f01's, so overwrite it.
	res, err = ImportTokenFiles(st, files[2:], TokenFileOptions{}, store.ImportOptions{Overwrite: true})
	if err != nil || res.Updated != 1 {
		t.Fatalf("overwrite: %+v, %v", res, err)
	}
	if tok, _ := st.Token("123456789012"); tok.Algorithm != model.AlgSID64 {
		t.Fatalf("DefAlg 0 gives %s", tok.Algorithm)
	}

	// The same file again is skipped, not rejected.
	res, err = ImportTokenFiles(st, files[1:2], TokenFileOptions{}, store.ImportOptions{})
	if err != nil || res.Skipped != 1 || res.Imported != 0 {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Action: "import tokens"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit: %d records, %v", len(recs), err)
	}
	if !strings.Contains(recs[1].Object, "f01-8d-60s-addpin-nopw.sdtid") {
		t.Fatalf("the audit source names the files: %+v", recs[1])
	}
}

func TestImportTokenFilesIsAllOrNothingUnlessPartial(t *testing.T) {
	st := openStore(t)
	files := []NamedData{
		vector(t, "f01-8d-60s-addpin-nopw.sdtid"),
		vector(t, "f03-8d-30s-addpin-pw.sdtid"), // needs a password
		vector(t, "tamper/bad-tokenmac-nopw.sdtid"),
		vector(t, "tamper/truncated.sdtid"),
		{Name: "missing.sdtid", Err: errors.New("no such file or directory")},
	}
	res, err := ImportTokenFiles(st, files, TokenFileOptions{}, store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) {
		t.Fatalf("want *store.ImportRejectedError, got %v", err)
	}
	if res.Imported != 0 || len(res.Rejected) != 4 {
		t.Fatalf("result %+v", res)
	}
	want := map[string]string{
		"f03-8d-30s-addpin-pw.sdtid":     "password required",
		"tamper/bad-tokenmac-nopw.sdtid": "token MAC",
		"tamper/truncated.sdtid":         "line 41",
		"missing.sdtid":                  "no such file",
	}
	for _, r := range res.Rejected {
		if w, ok := want[r.Item]; !ok || !strings.Contains(r.Reason, w) {
			t.Errorf("rejection %q: %q (want %q)", r.Item, r.Reason, w)
		}
	}
	if n, _ := st.CountTokens(); n != 0 {
		t.Fatalf("a refused import stored %d tokens", n)
	}

	res, err = ImportTokenFiles(st, files, TokenFileOptions{}, store.ImportOptions{Partial: true})
	if err != nil || res.Imported != 1 || len(res.Rejected) != 4 {
		t.Fatalf("partial: %+v, %v", res, err)
	}
	// The audit record says what happened: the unreadable files count as
	// rejected, not only what the store itself refused.
	if recs, _ := st.AuditRecords(store.AuditFilter{Action: "import tokens"}); len(recs) == 0 ||
		!strings.Contains(recs[0].Details, "imported 1, updated 0, skipped 0, rejected 4 of 5") {
		t.Fatalf("audit after a partial import: %+v", recs)
	}
	if _, err := st.Token("123456789012"); err != nil {
		t.Fatal(err)
	}
}

func TestImportTokenFilesPasswords(t *testing.T) {
	st := openStore(t)
	f03 := vector(t, "f03-8d-30s-addpin-pw.sdtid")
	f04 := vector(t, "f04-6d-60s-addpin-pw-devid.sdtid")
	f01 := vector(t, "f01-8d-60s-addpin-nopw.sdtid")

	// A wrong password names the file and says so.
	_, rejs, err := ParseTokenFiles(st, []NamedData{f03}, TokenFileOptions{Password: "not-it"})
	if err != nil || len(rejs) != 1 || !strings.Contains(rejs[0].Reason, "wrong password") || strings.Contains(rejs[0].Reason, "not-it") {
		t.Fatalf("wrong password: %+v, %v", rejs, err)
	}

	// A given password opens a protected file; an unprotected one ignores it.
	toks, rejs, err := ParseTokenFiles(st, []NamedData{f03, f01}, TokenFileOptions{Password: "Tr0ub4dor&3"})
	if err != nil || len(rejs) != 0 || len(toks) != 2 {
		t.Fatalf("password: %d tokens, %+v, %v", len(toks), rejs, err)
	}

	// The prompt is asked once, the first time a file needs it, and its
	// answer is used for the later files too.
	asked := 0
	ask := func() (string, error) { asked++; return "Tr0ub4dor&3", nil }
	toks, rejs, err = ParseTokenFiles(st, []NamedData{f01, f03, f04}, TokenFileOptions{AskPassword: ask})
	if err != nil || asked != 1 || len(toks) != 2 || len(rejs) != 1 || rejs[0].Item != f04.Name || !strings.Contains(rejs[0].Reason, "wrong password") {
		t.Fatalf("ask: asked %d, %d tokens, %+v, %v", asked, len(toks), rejs, err)
	}

	// No terminal to ask on: the reader's reason plus the asker's hint.
	ask = func() (string, error) { return "", errors.New("give it with --password-file F") }
	_, rejs, _ = ParseTokenFiles(st, []NamedData{f03}, TokenFileOptions{AskPassword: ask})
	if len(rejs) != 1 || !strings.Contains(rejs[0].Reason, "password required") || !strings.Contains(rejs[0].Reason, "--password-file") {
		t.Fatalf("no terminal: %+v", rejs)
	}
}

func TestImportMultiTokenFiles(t *testing.T) {
	st := openStore(t)
	// Two TKN with the same serial: the second is a duplicate.
	two := vector(t, "tamper/two-tkn.sdtid")
	res, err := ImportTokenFiles(st, []NamedData{two}, TokenFileOptions{}, store.ImportOptions{})
	var refused *store.ImportRejectedError
	if !errors.As(err, &refused) || len(res.Rejected) != 1 {
		t.Fatalf("duplicate TKN: %+v, %v", res, err)
	}
	r := res.Rejected[0]
	if !strings.Contains(r.Item, "token 2 of 2") || !strings.Contains(r.Reason, "more than once") || !strings.Contains(r.Reason, "token 1 of 2") {
		t.Fatalf("rejection %+v", r)
	}
	res, err = ImportTokenFiles(st, []NamedData{two}, TokenFileOptions{}, store.ImportOptions{Partial: true})
	if err != nil || res.Imported != 1 {
		t.Fatalf("partial: %+v, %v", res, err)
	}

	// A batch of three tokens with a password.
	data, seeds := multiTokenFile(t, "batch-pw", "100000000001", "100000000002", "100000000003")
	res, err = ImportTokenFiles(st, []NamedData{{Name: "batch.sdtid", Data: data}}, TokenFileOptions{Password: "batch-pw"}, store.ImportOptions{})
	if err != nil || res.Imported != 3 || len(res.Rejected) != 0 {
		t.Fatalf("three tokens: %+v, %v", res, err)
	}
	for i, sn := range []string{"100000000001", "100000000002", "100000000003"} {
		tok, err := st.Token(sn)
		if err != nil {
			t.Fatal(err)
		}
		mustSeed(t, st, tok, hex.EncodeToString(seeds[i][:]))
		if tok.Death.Format(time.DateOnly) != "2030-06-30" || tok.Birth.Format(time.DateOnly) != "2025-01-02" {
			t.Fatalf("dates %v %v", tok.Birth, tok.Death)
		}
	}
}

func TestStoreRejectionsNameTheFile(t *testing.T) {
	// The store names a rejected token by its serial; the import renames it
	// to the file it came from.
	res, err := finishImport("tokens", "src", nil, 1, store.ImportOptions{Partial: true},
		func(k string) (string, bool) { return "a.sdtid", k == "123" }, func(store.ImportOptions) (store.ImportResult, error) {
			return store.ImportResult{Rejected: []store.Rejection{{Item: "123", Reason: "clash"}}}, nil
		})
	if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Item != "a.sdtid" {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestNeverExpiringTokensAreRejected(t *testing.T) {
	st := openStore(t)
	_, rejs, err := ParseTokenFiles(st, []NamedData{vector(t, "tamper/DefDeath-1999.sdtid")}, TokenFileOptions{})
	if err != nil || len(rejs) != 1 || !strings.Contains(rejs[0].Reason, "expiry date") {
		t.Fatalf("%+v, %v", rejs, err)
	}
}

func TestParseFileDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024/01/01": "2024-01-01", "2035/1/5": "2035-01-05", " ": "0001-01-01", "2024-01-01": "0001-01-01", "2024/13/01": "0001-01-01",
	} {
		if got := parseFileDate(in).Format(time.DateOnly); got != want {
			t.Errorf("parseFileDate(%q) = %s, want %s", in, got, want)
		}
	}
}
