package jobs

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// tooLongPassword is an admin password for mode userid+password that the
// shortest user ID among the tokens of [from, to] fits exactly (AES-128:
// 24 characters), so every longer user ID makes its token too long.
func tooLongPassword(t *testing.T, st *store.Store, from, to string) string {
	t.Helper()
	short, long := 1000, 0
	if err := st.EachToken(func(tok model.Token) error {
		if tok.AssignedUser == "" || model.CompareSerials(tok.Serial, from) < 0 || model.CompareSerials(tok.Serial, to) > 0 {
			return nil
		}
		short, long = min(short, len(tok.AssignedUser)), max(long, len(tok.AssignedUser))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if short >= long || short >= 24 {
		t.Fatalf("the demo's user IDs are %d-%d characters: the test needs different lengths", short, long)
	}
	return strings.Repeat("p", 24-short)
}

// TestSkipTooLongLeavesThemOutOfTheJobAndTheAuditSaysSo: without
// SkipTooLong, tokens whose password would be too long block the plan (a
// *model.TooLongError); with it the job is planned and submitted without
// them, the count of those left out is in the summary and in the submit's
// audit record.
func TestSkipTooLongLeavesThemOutOfTheJobAndTheAuditSaysSo(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	const from, to = "100000000001", "100000000020"
	pw := tooLongPassword(t, st, from, to)
	s := spec("Skip", model.PasswordUserIDAndAdmin, from, to)
	_, err := e.Plan(s, pw)
	var tl *model.TooLongError
	if !errors.As(err, &tl) || tl.Count == 0 {
		t.Fatalf("plan without SkipTooLong: %v, want a TooLongError", err)
	}
	s.SkipTooLong = true
	p, err := e.Plan(s, pw)
	if err != nil {
		t.Fatalf("plan with SkipTooLong: %v", err)
	}
	if p.Summary.Ineligible[model.PasswordTooLong] != tl.Count || p.Summary.Count == 0 || len(p.Selected) != p.Summary.Count {
		t.Fatalf("summary %+v; %d too long before", p.Summary, tl.Count)
	}
	for _, sel := range p.Selected {
		for _, r := range tl.Tokens {
			if sel.Serial == r.Serial {
				t.Fatalf("too-long token %s is selected", r.Serial)
			}
		}
	}
	_, want := model.ConfirmationRequired(p.Spec, p.Summary)
	j, err := e.Submit(p, pw, want)
	if err != nil {
		t.Fatal(err)
	}
	if j.Total != p.Summary.Count {
		t.Fatalf("job has %d tokens, the summary %d", j.Total, p.Summary.Count)
	}
	recs, err := st.AuditRecords(store.AuditFilter{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	note := fmt.Sprintf("%d left out: password too long", tl.Count)
	found := false
	for _, r := range recs {
		if strings.Contains(r.Details, note) {
			found = true
		}
		if strings.Contains(r.Details, pw) {
			t.Fatal("the admin password is in the audit")
		}
	}
	if !found {
		t.Fatalf("no audit record says %q: %+v", note, recs)
	}
}

// TestPlanResolvesTheBindingFromTheDeviceField: a spec without a Binding
// gets it from Device: blank or the profile's class GUID in any case is
// class binding, anything else a device ID, and another class's GUID is
// refused on the DeviceSerialNumber field.
func TestPlanResolvesTheBindingFromTheDeviceField(t *testing.T) {
	st := openDemo(t, 5, 20)
	e := New(st, Options{})
	class := model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()}
	for _, c := range []struct {
		device  string
		want    model.Binding
		wantErr string
	}{
		{"", class, ""},
		{strings.ToUpper(model.DeviceIPhone.GUID()), class, ""},
		{" PHONE-42 ", model.Binding{Kind: model.BindingDevice, Value: "PHONE-42"}, ""},
		{model.DeviceAndroid.GUID(), model.Binding{}, "is the Android class GUID"},
	} {
		s := spec("Bind", model.PasswordNone, "100000000001", "100000000002")
		s.Binding, s.Device = model.Binding{}, c.device
		p, err := e.Plan(s, "")
		if c.wantErr != "" {
			var fe *model.FieldError
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.As(err, &fe) || fe.Field != model.FieldDeviceSerial {
				t.Errorf("device %q: %v, want %q on %s", c.device, err, c.wantErr, model.FieldDeviceSerial)
			}
			continue
		}
		if err != nil {
			t.Fatalf("device %q: %v", c.device, err)
		}
		if p.Spec.Binding != c.want || p.Spec.Device != "" {
			t.Errorf("device %q: binding %+v (device %q), want %+v", c.device, p.Spec.Binding, p.Spec.Device, c.want)
		}
	}
}

// TestSubmitShownRefusesASelectionThatChangedSinceTheSummary: the admin saw
// a summary; a token of it is unassigned before the submit; the plan made
// again at submit time selects one fewer, and SubmitShown refuses with both
// selections named, submitting nothing. The same summary, unchanged,
// submits.
func TestSubmitShownRefusesASelectionThatChangedSinceTheSummary(t *testing.T) {
	st := openDemo(t, 20, 50)
	e := New(st, Options{})
	s := spec("Shown", model.PasswordNone, "100000000001", "100000000010")
	p, err := e.Plan(s, "")
	if err != nil {
		t.Fatal(err)
	}
	shown := p.Summary.Selection()
	_, typed := model.ConfirmationRequired(p.Spec, p.Summary)
	last := p.Selected[len(p.Selected)-1].Serial
	if err := st.Unassign(last); err != nil {
		t.Fatal(err)
	}
	_, err = e.SubmitShown(s, "", typed, shown)
	var changed *model.SelectionChangedError
	if !errors.As(err, &changed) || changed.Then != shown || changed.Now.Count != shown.Count-1 {
		t.Fatalf("SubmitShown after a change: %v", err)
	}
	if !strings.Contains(err.Error(), "the selection changed since the summary: "+shown.String()+" then, ") ||
		!strings.HasSuffix(err.Error(), " now; review the summary again") {
		t.Fatalf("message: %v", err)
	}
	if _, err := st.JobByName("Shown"); err == nil {
		t.Fatal("the refused job exists")
	}

	p, err = e.Plan(s, "")
	if err != nil {
		t.Fatal(err)
	}
	_, typed = model.ConfirmationRequired(p.Spec, p.Summary)
	j, err := e.SubmitShown(s, "", typed, p.Summary.Selection())
	if err != nil || j.Total != p.Summary.Count {
		t.Fatalf("SubmitShown of an unchanged summary: %v (%d tokens)", err, j.Total)
	}
}
