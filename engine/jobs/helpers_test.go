package jobs

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/swtoken/swtoken/engine/internal/crashtest"
	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// testNow is a fixed clock inside every demo token's life.
var testNow = time.Now().UTC().Truncate(time.Second)

// openDemo opens a fresh store in a temporary directory with a demo
// inventory of the given size.
func openDemo(t testing.TB, users, tokens int) *store.Store {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := inventory.LoadDemo(st, users, tokens, testNow); err != nil {
		t.Fatal(err)
	}
	return st
}

// spec is a job spec over the demo's AES range on "Staff iPhone".
func spec(name string, mode model.PasswordMode, from, to string) model.JobSpec {
	return model.JobSpec{
		Name: name, Profile: "Staff iPhone",
		Binding:      model.Binding{Kind: model.BindingClass, Value: model.DeviceIPhone.GUID()},
		Nickname:     "Work phone",
		PasswordMode: mode,
		Criteria:     model.Criteria{From: from, To: to},
	}
}

// submit plans and submits a job, confirming whatever needs confirming.
func submit(t testing.TB, e *Engine, s model.JobSpec, pw string) model.Job {
	t.Helper()
	p, err := e.Plan(s, pw)
	if err != nil {
		t.Fatalf("plan %q: %v", s.Name, err)
	}
	_, want := model.ConfirmationRequired(p.Spec, p.Summary)
	j, err := e.Submit(p, pw, want)
	if err != nil {
		t.Fatalf("submit %q: %v", s.Name, err)
	}
	return j
}

// runAll runs the queued jobs and returns the last one's end.
func runAll(t testing.TB, e *Engine) model.Job {
	t.Helper()
	ran, err := e.RunQueued(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) == 0 {
		t.Fatal("no job ran")
	}
	return ran[len(ran)-1]
}

// sealedSeeds maps each token's serial to its sealed seed.
var sealedSeeds = crashtest.SealedSeeds

// zipFiles reads every entry of a ZIP, and checks that each extracts as a
// regular file of mode 0600.
func zipFiles(t testing.TB, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		if f.Mode() != 0o600 {
			t.Fatalf("%s extracts with mode %v, want -rw-------", f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}
