package jobs

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swtoken/swtoken/model"
)

// ctfFixture is jobsFixture with job 4 a completed iPhone CTF job in v3.
func ctfFixture() *fakeBackend {
	be := jobsFixture()
	j := &be.jobs[3]
	j.Name = "Generate Compressed Token Format Credentials 2026-09-30 12:00:00"
	j.Spec.Profile = "iPhone quick setup (CTF)"
	j.Spec.Kind, j.Spec.CTFForm, j.Spec.CTFShape = model.JobKindCTF, model.CTFv3, model.CTFShapeIPhone
	return be
}

// TestJobsShowTheCTFJobType: the list tags a CTF job with its form, the
// details name the job type, the strings' form and the QR images, and the
// download dialog says what the ZIP holds; a file job says it is one.
func TestJobsShowTheCTFJobType(t *testing.T) {
	m := openJobs(t, ctfFixture(), 80, 24)
	press(t, m, "tab")
	wantScreen(t, m, "CTF v3, 500 tokens")
	press(t, m, "enter")
	wantScreen(t, m, "(Generate Compressed Token Format")
	flat := strings.Join(strings.Fields(screenText(m)), " ")
	for _, want := range []string{
		"iPhone quick setup (CTF) (Generate Compressed Token Format Credentials)",
		"CTF strings: iPhone link, v3 (base64), with a QR image (PNG) of each link",
	} {
		if !strings.Contains(flat, want) {
			t.Fatalf("details lack %q:\n%s", want, screenText(m))
		}
	}
	m = openJobs(t, ctfFixture(), 120, 40) // room for the dialog's note
	press(t, m, "tab", "d")
	flat = strings.Join(strings.Fields(screenText(m)), " ")
	if !strings.Contains(flat, "The ZIP holds one CTF string per token (<user-id>_<serial>.ctf.txt), a QR image of each link (<user-id>_<serial>.png), manifest.csv (no secrets) and credentials.csv") {
		t.Fatalf("download dialog does not say what the ZIP holds:\n%s", screenText(m))
	}

	m = openJobs(t, jobsFixture(), 80, 24)
	press(t, m, "tab")
	wantNoScreen(t, m, "CTF")
	press(t, m, "enter")
	wantScreen(t, m, "Staff iPhone (Generate Software Token Files)")
	wantNoScreen(t, m, "CTF strings")
}

func TestGoldenCTFJobDetails(t *testing.T) {
	forGoldenSizes(t, func(t *testing.T, w, h int) {
		m := openJobs(t, ctfFixture(), w, h)
		press(t, m, "tab", "enter")
		golden.RequireEqual(t, screenText(m))
	})
}
