package ui

import (
	"errors"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestEngineBackendPreviewResolvesTheBinding: the wizard passes the
// DeviceSerialNumber field as spec.Device; the plan resolves it (blank is
// class binding) and the preview carries the binding.
func TestEngineBackendPreviewResolvesTheBinding(t *testing.T) {
	be, _ := realBackend(t)
	spec := model.JobSpec{Name: "Binding", Profile: "Staff iPhone", PasswordMode: model.PasswordNone,
		Criteria: model.Criteria{From: "100000000001", To: "100000000005"}}
	for _, c := range []struct {
		device string
		want   model.Binding
	}{
		{"", model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()}},
		{model.DeviceIPhone.GUID(), model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()}},
		{"DEVICE42", model.Binding{Kind: model.BindingDevice, Value: "DEVICE42"}},
	} {
		spec.Device = c.device
		p, err := be.Preview(spec, "")
		if err != nil || p.Binding != c.want {
			t.Errorf("device %q: binding %+v, %v; want %+v", c.device, p.Binding, err, c.want)
		}
	}
}

// TestEngineBackendSubmitRefusesAnotherSelection: Submit is given the
// selection the summary showed; a plan that selects other tokens is
// refused with model.SelectionChangedError and nothing is submitted.
func TestEngineBackendSubmitRefusesAnotherSelection(t *testing.T) {
	be, st := realBackend(t)
	spec := model.JobSpec{Name: "Changed", Profile: "Staff iPhone", PasswordMode: model.PasswordNone,
		Criteria: model.Criteria{From: "100000000001", To: "100000000005"}}
	p, err := be.Preview(spec, "")
	if err != nil {
		t.Fatal(err)
	}
	shown := p.Summary.Selection()
	shown.Count++ // the summary the admin saw had one token more
	_, typed := model.ConfirmationRequired(spec, p.Summary)
	_, err = be.Submit(spec, "", typed, shown)
	var sc *model.SelectionChangedError
	if !errors.As(err, &sc) {
		t.Fatalf("submit of another selection: %v, want *model.SelectionChangedError", err)
	}
	if jobs, _ := st.Jobs(); len(jobs) != 0 {
		t.Fatalf("a job was submitted: %+v", jobs)
	}
}
