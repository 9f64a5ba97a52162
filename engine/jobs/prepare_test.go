package jobs

import (
	"bytes"
	"errors"
	"testing"

	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Prepare creates the installation signing key once, keeps it, and the
// next job signs its files with that same key.
func TestPrepareCreatesTheSigningKeyOnceAndJobsUseIt(t *testing.T) {
	st := openDemo(t, 20, 20)
	if _, _, err := st.SigningKey(); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a new store should have no signing key yet, got %v", err)
	}
	e := New(st, Options{Workers: 2})
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	_, cert1, err := st.SigningKey()
	if err != nil {
		t.Fatalf("Prepare did not store a signing key: %v", err)
	}
	// A second engine on the same store loads the key instead of making one.
	if err := New(st, Options{Workers: 2}).Prepare(); err != nil {
		t.Fatal(err)
	}
	_, cert2, err := st.SigningKey()
	if err != nil || !bytes.Equal(cert1, cert2) {
		t.Fatalf("the signing key changed on the second Prepare (err %v)", err)
	}

	submit(t, e, spec("Prepared", model.PasswordNone, "100000000001", "100000000020"), "")
	end := runAll(t, e)
	if end.State != model.JobCompleted {
		t.Fatalf("job ended %s: %s", end.State, end.Reason)
	}
	keyDER, certDER, err := st.SigningKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sdtid.NewSigner(keyDER, certDER)
	if err != nil {
		t.Fatal(err)
	}
	files := zipFiles(t, outputOf(t, st, end))
	checked := 0
	for name, data := range files {
		if name == "manifest.csv" {
			continue
		}
		if err := signer.VerifyFile(data); err != nil {
			t.Fatalf("%s is not signed with the prepared key: %v", name, err)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("the job wrote no token files")
	}
}
