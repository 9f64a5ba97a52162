package cli

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/engine/sdtid/stokentest"
	"github.com/swtoken/swtoken/model"
)

func unzipAll(t *testing.T, zipPath, dir string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		if strings.Contains(f.Name, "/") || strings.HasPrefix(f.Name, ".") {
			t.Fatalf("unsafe entry name %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out[f.Name] = p
	}
	return out
}

// TestDistributeEndToEndWithStoken is the acceptance test: for each password
// mode, distribute from the demo store, download, unzip, and check every
// file with stoken (exactly the expected password opens it, no other), the
// binding and nickname, the manifest (no secrets), and that stoken's
// current code passes swtoken verify while a wrong one fails.
func TestDistributeEndToEndWithStoken(t *testing.T) {
	stokentest.Require(t, "stoken")
	dir := demoDir(t)
	const adminPW = "Adm1n-Pass"
	pwFile := writeFile(t, "pw", adminPW+"\n")
	modes := []struct {
		mode     string
		deviceID string
	}{
		{"none", ""},
		{"password", "DEV-ABC-123"},
		{"userid", ""},
		{"userid+password", "a01c4380-fc01-4df0-b113-7fb98ec74694"}, // Android's GUID on an iPhone profile: refused below
	}
	for i, m := range modes {
		t.Run(m.mode, func(t *testing.T) {
			job := "E2E " + m.mode
			args := []string{"distribute", "--job", job, "--profile", "Staff iPhone", "--nickname", "Work phone " + strconv.Itoa(i),
				"--password-mode", m.mode, "--from", "100000000001", "--to", "100000000012", "--yes"}
			mode, _ := model.ParsePasswordMode(m.mode)
			if mode.NeedsAdminPassword() {
				args = append(args, "--password-file", pwFile)
			}
			if m.mode == "userid+password" {
				// Another class's GUID as the device ID is refused.
				expectFail(t, dir, ExitFailure, "Android class GUID", append(args, "--device-id", m.deviceID)...)
			} else if m.deviceID != "" {
				args = append(args, "--device-id", m.deviceID)
			}
			out := mustRun(t, dir, args...)
			if !strings.Contains(out, "completed") || strings.Contains(out, adminPW) {
				t.Fatalf("distribute output:\n%s", out)
			}
			zipPath := filepath.Join(t.TempDir(), "out.zip")
			mustRun(t, dir, "jobs", "download", job, "--out", zipPath)
			if fi, err := os.Stat(zipPath); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("download: %v %v", fi, err)
			}
			files := unzipAll(t, zipPath, t.TempDir())
			manifest, err := os.ReadFile(files["manifest.csv"])
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(manifest)).ReadAll()
			if err != nil || len(rows) < 2 || len(files) != len(rows) {
				t.Fatalf("manifest %d rows for %d files: %v", len(rows), len(files), err)
			}
			if strings.Join(rows[0], ",") != "serial,user_id,first_name,last_name,file,binding,password_mode,job_name,batch_id" {
				t.Fatalf("manifest header %v", rows[0])
			}
			// The job's name is in the manifest (the files hold only its
			// batch id): every row names the job and its batch.
			shown := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", job, "--json"))
			for _, r := range rows[1:] {
				if len(r) != 9 || r[7] != job || r[8] != shown.BatchID {
					t.Fatalf("manifest row %v: want job %q, batch %s", r, job, shown.BatchID)
				}
			}
			if bytes.Contains(manifest, []byte(adminPW)) {
				t.Fatal("the manifest holds the admin password")
			}
			wantDSN := "556f1985-33dd-442c-9155-3a0e994f21b1"
			if m.mode == "password" {
				wantDSN = m.deviceID
			}
			for n, r := range rows[1:] {
				serial, user, file := r[0], r[1], files[r[4]]
				want := model.EffectivePassword(mode, user, adminPW)
				show, err := stokentest.Show(file, want)
				if err != nil {
					t.Fatalf("%s: stoken refused the expected password: %v\n%s", r[4], err, show)
				}
				seedHex, ok := stokentest.DecryptedSeed(show)
				if !ok {
					t.Fatalf("no seed in stoken output:\n%s", show)
				}
				if bytes.Contains(bytes.ToLower(manifest), []byte(seedHex)) {
					t.Fatal("the manifest holds a seed")
				}
				if mode == model.PasswordNone {
					if !strings.Contains(show, "Encrypted w/password    : no") {
						t.Fatalf("mode none, but the file needs a password:\n%s", show)
					}
				} else {
					wrong := []string{want + "x", "", adminPW, user}
					for _, w := range wrong {
						if w == want {
							continue
						}
						if out, err := stokentest.Show(file, w); err == nil {
							t.Fatalf("%s opened with the wrong password %q:\n%s", r[4], w, out)
						}
					}
				}
				data, _ := os.ReadFile(file)
				f, err := sdtid.ReadSingle(data, want)
				if err != nil {
					t.Fatal(err)
				}
				tok := f.Tokens[0]
				if tok.DeviceSerialNumber != wantDSN || tok.Nickname != "Work phone "+strconv.Itoa(i) || tok.Serial != serial || len(serial) != 12 {
					t.Fatalf("%s: DeviceSerialNumber %q, Nickname %q, SN %q", r[4], tok.DeviceSerialNumber, tok.Nickname, tok.Serial)
				}
				if n >= 3 {
					continue // stoken's codes on a sample keep the test fast
				}
				at := time.Now().Unix()
				code, err := stokentest.Tokencode(file, want, at)
				if err != nil || len(code) != 8 {
					t.Fatalf("stoken tokencode: %v %q", err, code)
				}
				checkVerify(t, dir, serial, code)
			}
		})
	}
}

// checkVerify: swtoken verify matches code, stoken's tokencode for serial
// with PIN 0000, and refuses the code with its first digit changed.
func checkVerify(t *testing.T, dir, serial, code string) {
	t.Helper()
	vout := mustRun(t, dir, "verify", serial, code, "--pin", "0000")
	if !strings.Contains(vout, "match at offset") {
		t.Fatalf("verify: %s", vout)
	}
	bad := []byte(code)
	bad[0] = '0' + (bad[0]-'0'+5)%10
	expectFail(t, dir, ExitFailure, "no match", "verify", serial, string(bad), "--pin", "0000")
}

func TestDistributeRefusesBadInputWithASpecificMessage(t *testing.T) {
	dir := demoDir(t)
	pw := func(s string) string { return writeFile(t, "pw", s+"\n") }
	base := func(job string, extra ...string) []string {
		return append([]string{"distribute", "--job", job, "--profile", "Staff iPhone", "--password-mode", "userid",
			"--from", "100000000001", "--to", "100000000010", "--yes"}, extra...)
	}
	mustRun(t, dir, base("Taken")...)
	cases := []struct {
		name, want string
		args       []string
	}{
		{"name taken (ignoring case)", `"taken" is already used by job "Taken"`, base("taken")},
		{"name too long", "is 129 characters; at most 128", base(strings.Repeat("n", 129))},
		{"name with &", `must not contain "&"`, base("A & B")},
		{"name with %", `must not contain "%"`, base("100%")},
		{"name with <", `must not contain "<"`, base("<b>")},
		{"CTF form on a file profile", "a CTF form is only for CTF profiles",
			[]string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--ctf-form", "v3", "--password-mode", "none", "--all", "--yes"}},
		{"missing profile", `profile "Nope" does not exist`,
			[]string{"distribute", "--job", "J", "--profile", "Nope", "--password-mode", "none", "--all", "--yes"}},
		{"password over the limit", "is 25 characters; no token allows more than 24",
			[]string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "password", "--password-file", pw(strings.Repeat("p", 25)), "--all", "--yes"}},
		{"password over the SID-64 limit, tokens named", "(user ",
			[]string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "password", "--password-file", pw("ninechars"), "--all", "--yes"}},
		{"combination too long for some users, named", "would get a password outside their limit with password mode \"User ID followed by Password\"",
			[]string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "userid+password", "--password-file", pw(strings.Repeat("p", 20)), "--from", "100000000001", "--to", "100000000010", "--yes"}},
		{"no eligible tokens", "no eligible tokens match the criteria",
			[]string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none", "--from", "900000000000", "--to", "900000000010"}},
		{"device ID with a space", "must not contain spaces", base("J", "--device-id", "my phone")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := expectFail(t, dir, ExitFailure, c.want, c.args...)
			_ = out
		})
	}
	// Usage errors: empty criteria never select everything; a password is
	// never taken from the command line.
	expectFail(t, dir, ExitUsage, "empty criteria never select everything",
		"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none")
	// A reversed range is bad command-line input (consistency_test.go).
	expectFail(t, dir, ExitUsage, "from must not be greater than to (100000000010 > 100000000001)",
		"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "none", "--from", "100000000010", "--to", "100000000001")
	expectFail(t, dir, ExitUsage, "flag provided but not defined: -password",
		"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "password", "--password", "x", "--all")
	// Redistribution and "all" need --yes.
	expectFail(t, dir, ExitFailure, "run again with --yes",
		"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "userid", "--all")
	// Nothing was submitted by any of the refusals.
	out := mustRun(t, dir, "jobs", "list", "--json")
	if n := strings.Count(out, `"seq"`); n != 1 {
		t.Fatalf("%d jobs exist after refusals:\n%s", n, out)
	}
}

func TestJobsCommands(t *testing.T) {
	dir := demoDir(t)
	mustRun(t, dir, "distribute", "--job", "Rollout 1", "--profile", "Staff Android", "--password-mode", "userid",
		"--from", "100000000001", "--to", "100000000010", "--yes")
	out := mustRun(t, dir, "jobs", "show", "rollout 1", "--json")
	j := decodeJSON[jobJSON](t, out)
	if j.State != "completed" || j.Total == 0 || j.OutputSHA256 == "" || j.BatchID != "SWT-000001" {
		t.Fatalf("%+v", j)
	}
	target := filepath.Join(t.TempDir(), "r1.zip")
	mustRun(t, dir, "jobs", "download", "Rollout 1", "--out", target)
	expectFail(t, dir, ExitFailure, "the file exists", "jobs", "download", "Rollout 1", "--out", target)
	mustRun(t, dir, "jobs", "download", "SWT-000001", "--out", target, "--force")
	expectFail(t, dir, ExitFailure, "does not exist", "jobs", "download", "Rollout 1", "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "x.zip"))
	expectFail(t, dir, ExitFailure, "only a queued or running job can be canceled", "jobs", "cancel", "Rollout 1")
	mustRun(t, dir, "jobs", "delete-output", "Rollout 1")
	if _, err := os.Stat(j.Output); !os.IsNotExist(err) {
		t.Fatalf("output still there: %v", err)
	}
	expectFail(t, dir, ExitFailure, "was deleted", "jobs", "download", "Rollout 1", "--out", filepath.Join(t.TempDir(), "x.zip"))
	out = mustRun(t, dir, "audit", "--json")
	for _, a := range []string{"job submit", "job start", "job completion", "output download", "output delete"} {
		if !strings.Contains(out, `"`+a+`"`) {
			t.Errorf("audit lacks %q", a)
		}
	}
	if got := mustRun(t, dir, "jobs", "run"); !strings.Contains(got, "no queued jobs") {
		t.Fatalf("jobs run: %s", got)
	}
}

// TestDistributeQueueThenJobsRun: --queue submits and exits with the job
// Queued and nothing distributed; `jobs run` (another process, as from cron)
// runs it with the sealed password and completes it.
func TestDistributeQueueThenJobsRun(t *testing.T) {
	dir := demoDir(t)
	pwFile := writeFile(t, "pw", "Queued-Pass1\n")
	counts := func() map[string]int {
		m := map[string]int{}
		for _, tk := range decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--from", "100000000001", "--to", "100000000010", "--json")) {
			m[tk.Serial] = tk.Distribution.Count
		}
		return m
	}
	before := counts()
	out := mustRun(t, dir, "distribute", "--job", "Night run", "--profile", "Staff iPhone", "--password-mode", "password",
		"--password-file", pwFile, "--from", "100000000001", "--to", "100000000010", "--queue")
	if !strings.Contains(out, "Queued: run it with `swtoken jobs run`") {
		t.Fatalf("distribute --queue said:\n%s", out)
	}
	j := decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Night run", "--json"))
	if j.State != "queued" || j.Total == 0 || j.Output != "" {
		t.Fatalf("after --queue: %+v", j)
	}
	if got := counts(); !maps.Equal(got, before) {
		t.Fatalf("a queued job changed tokens: %v, was %v", got, before)
	}
	if got := mustRun(t, dir, "jobs", "run"); !strings.Contains(got, "Night run") {
		t.Fatalf("jobs run: %s", got)
	}
	j = decodeJSON[jobJSON](t, mustRun(t, dir, "jobs", "show", "Night run", "--json"))
	if j.State != "completed" || j.Output == "" {
		t.Fatalf("after jobs run: %+v", j)
	}
	after, ran := counts(), 0
	for s, n := range after {
		if n == before[s]+1 {
			ran++
		} else if n != before[s] {
			t.Fatalf("token %s: distributed %d times, was %d", s, n, before[s])
		}
	}
	if ran != j.Total {
		t.Fatalf("%d tokens distributed, the job holds %d", ran, j.Total)
	}
	expectFail(t, dir, ExitUsage, "--queue and --dry-run do not go together", "distribute", "--job", "X", "--profile", "Staff iPhone",
		"--password-mode", "none", "--all", "--queue", "--dry-run")
}
