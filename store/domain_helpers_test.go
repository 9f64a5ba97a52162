package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// testSeed is a deterministic, recognisable clear seed for a serial, so
// that tests can search the store and the audit trail for it.
func testSeed(serial string) []byte {
	return []byte(fmt.Sprintf("S%015s", serial))[:SeedLen]
}

// mkToken returns a valid, unassigned token with its seed sealed.
func mkToken(t testing.TB, s *Store, serial string, kind model.TokenKind) model.Token {
	t.Helper()
	sealed, err := s.SealSeed(serial, testSeed(serial))
	if err != nil {
		t.Fatal(err)
	}
	return model.Token{Serial: serial, Kind: kind, Algorithm: model.AlgAES128, SealedSeed: sealed,
		Birth: day(2025, 1, 1), Death: day(2030, 12, 31)}
}

func mkUser(id string) model.User {
	return model.User{ID: id, FirstName: "First " + id, LastName: "Last", Email: id + "@example.com"}
}

// seedStore writes users and tokens through the import API (so with audit).
func seedStore(t testing.TB, s *Store, users []string, toks []model.Token) {
	t.Helper()
	if len(users) > 0 {
		us := make([]model.User, len(users))
		for i, id := range users {
			us[i] = mkUser(id)
		}
		if _, err := s.ImportUsers(us, "users.csv", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(toks) > 0 {
		if _, err := s.ImportTokens(toks, "tokens.xml", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// auditMark returns the newest audit seq, to look at what follows.
func auditMark(t testing.TB, s *Store) uint64 {
	t.Helper()
	recs, err := s.AuditRecords(AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		return 0
	}
	return recs[0].Seq
}

// auditAfter returns the records after mark, oldest first.
func auditAfter(t testing.TB, s *Store, mark uint64) []AuditRecord {
	t.Helper()
	recs, err := s.AuditRecords(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []AuditRecord
	for _, r := range recs {
		if r.Seq > mark {
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	return out
}

// wantAudit checks the records written since mark, as "action|object"
// strings, and that the chain verifies.
func wantAudit(t testing.TB, s *Store, mark uint64, want ...string) []AuditRecord {
	t.Helper()
	recs := auditAfter(t, s, mark)
	got := make([]string, len(recs))
	for i, r := range recs {
		got[i] = r.Action + "|" + r.Object
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit records since %d:\n got  %q\n want %q", mark, got, want)
	}
	verifyOK(t, s)
	return recs
}

func verifyOK(t testing.TB, s *Store) {
	t.Helper()
	res, err := s.VerifyAudit()
	if err != nil || !res.OK() {
		t.Fatalf("audit verify: %+v %v", res, err)
	}
}

// noSeedInAudit fails if any audit record contains one of the seeds, raw,
// hex or base64.
func noSeedInAudit(t testing.TB, s *Store, seeds ...[]byte) {
	t.Helper()
	recs, err := s.AuditRecords(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		text := r.Action + r.Object + r.Details
		for _, seed := range seeds {
			for _, form := range []string{string(seed), hex.EncodeToString(seed), base64.StdEncoding.EncodeToString(seed)} {
				if strings.Contains(text, form) {
					t.Errorf("audit record %d holds a seed: %q", r.Seq, text)
				}
			}
		}
		if bytes.Contains([]byte(text), []byte("seed:")) {
			t.Errorf("audit record %d mentions sealed seed material: %q", r.Seq, text)
		}
	}
}

// wantErr checks err against a wanted substring ("" = no error).
func wantErr(t testing.TB, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("want an error mentioning %q, got nil", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not mention %q", err, want)
	}
}

func wantNotFound(t testing.TB, err error) {
	t.Helper()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}

func serials(toks []model.Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Serial
	}
	return out
}

// fileProfile is a valid file-based profile.
func fileProfile(name string) model.Profile {
	p := model.NewProfile(name, model.DeviceIPhone)
	p.Description = "for " + name
	return p
}

// mkJob returns a valid queued job for a file-based iPhone profile.
func mkJob(name, profile string) model.Job {
	return model.Job{Name: name, Spec: model.JobSpec{
		Name: name, Profile: profile,
		Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
		PasswordMode: model.PasswordNone,
		Criteria:     model.Criteria{From: "000000000001", To: "000000000100"},
	}, Total: 10}
}

// createJob stores a job with its audit record, as the engine would.
func createJob(t testing.TB, s *Store, j model.Job) model.Job {
	t.Helper()
	if err := s.SubmitJob(&j, ""); err != nil {
		t.Fatal(err)
	}
	return j
}

func readDB(t testing.TB, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
