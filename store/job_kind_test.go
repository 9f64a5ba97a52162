package store

import (
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestJobKindAndCTFFormPersist: a CTF job's kind, form and string shape
// read back as submitted, and a job submitted without a kind (as every job
// stored before CTF jobs) reads back as a file job.
func TestJobKindAndCTFFormPersist(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.AddProfile(fileProfile("Staff")); err != nil {
		t.Fatal(err)
	}
	ctf := fileProfile("Phones CTF")
	ctf.DeliveryMethod = model.DeliveryCTF
	if _, err := s.AddProfile(ctf); err != nil {
		t.Fatal(err)
	}
	j := mkJob("CTF rollout", "Phones CTF")
	j.Spec.Kind, j.Spec.CTFForm, j.Spec.CTFShape = model.JobKindCTF, model.CTFv3, model.CTFShapeFor(ctf.DeviceType)
	created := createJob(t, s, j)
	got, err := s.Job(created.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Kind != model.JobKindCTF || got.Spec.CTFForm != model.CTFv3 || got.Spec.CTFShape != j.Spec.CTFShape {
		t.Errorf("read back kind %q form %q shape %q", got.Spec.Kind, got.Spec.CTFForm, got.Spec.CTFShape)
	}
	if got.Spec != created.Spec {
		t.Errorf("read back %+v, created %+v", got.Spec, created.Spec)
	}

	old := createJob(t, s, mkJob("Old file job", "Staff"))
	if old.Spec.Kind != model.JobKindFiles {
		t.Errorf("created without a kind: %q", old.Spec.Kind)
	}
	got, err = s.Job(old.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Kind != model.JobKindFiles || got.Spec != old.Spec {
		t.Errorf("read back %+v, created %+v", got.Spec, old.Spec)
	}
}
