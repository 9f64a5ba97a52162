package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/engine/requests"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	inventoryui "github.com/swtoken/swtoken/ui/inventory"
)

// The inventoryBackend methods of engineBackend: translations to the store,
// engine/inventory and engine/jobs, nothing more.

func (b *engineBackend) Tokens() ([]model.Token, error) {
	n, _ := b.st.CountTokens()
	out := make([]model.Token, 0, n)
	err := b.st.EachToken(func(t model.Token) error {
		t.SealedSeed = nil // lists never need it
		out = append(out, t)
		return nil
	})
	return out, err
}

func (b *engineBackend) Token(serial string) (model.Token, error) {
	t, err := b.st.Token(serial)
	t.SealedSeed = nil
	return t, err
}

func (b *engineBackend) ReplacementWindowDays() (int, error) {
	s, err := b.st.Settings()
	if err != nil {
		return 0, err
	}
	return s.ReplacementWindowDays, nil
}

func (b *engineBackend) Users() ([]model.User, error) {
	n, _ := b.st.CountUsers()
	out := make([]model.User, 0, n)
	err := b.st.EachUser(func(u model.User) error {
		out = append(out, u)
		return nil
	})
	return out, err
}

func (b *engineBackend) TokenCountsByUser() (map[string]int, error) {
	return b.st.TokenCountsByUser()
}

func (b *engineBackend) User(id string) (model.User, []model.Token, error) {
	u, err := b.st.User(id)
	if err != nil {
		return model.User{}, nil, err
	}
	toks, err := b.st.TokensByUser(id)
	for i := range toks {
		toks[i].SealedSeed = nil
	}
	return u, toks, err
}

func (b *engineBackend) Assign(serial, userID string) error { return b.st.Assign(serial, userID) }

func (b *engineBackend) Unassign(serial string) error { return b.st.Unassign(serial) }

func (b *engineBackend) SetTokenEnabled(serial string, enabled bool) error {
	_, err := b.st.SetTokenEnabled(serial, enabled)
	return err
}

func (b *engineBackend) SetTokenEnabledAuto(serial string) error {
	_, err := b.st.SetTokenEnabledAuto(serial)
	return err
}

func (b *engineBackend) VerifyCode(serial, code, pin string) (jobs.VerifyResult, error) {
	return jobs.Verify(b.st, serial, code, pin, b.now())
}

func (b *engineBackend) UserAccess(id string) (inventoryui.UserAccess, error) {
	keys, err := b.st.UserKeys(id)
	if err != nil {
		return inventoryui.UserAccess{}, err
	}
	live, expires, err := b.st.EnrollmentStatus(id, b.now())
	if err != nil {
		return inventoryui.UserAccess{}, err
	}
	return inventoryui.UserAccess{Keys: keys, CodeLive: live, CodeExpires: expires}, nil
}

func (b *engineBackend) RemoveUserKey(id, fingerprint string) error {
	return b.st.RemoveUserKey(id, fingerprint)
}

// sshCommand is the line user types to reach `swtoken serve` on this host
// at its default port.
func sshCommand(user string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return requests.SSHCommand(user, host, requests.DefaultServePort)
}

func (b *engineBackend) InviteUser(id string) (inventoryui.Invitation, error) {
	inv, err := b.st.InviteUser(id, b.now())
	if err != nil {
		return inventoryui.Invitation{}, err
	}
	return inventoryui.Invitation{Code: inv.Code, Expires: inv.Expires, SSHCommand: sshCommand(id)}, nil
}

func (b *engineBackend) MailInvitation(id string) (inventoryui.Invitation, error) {
	u, err := b.st.User(id)
	if err != nil {
		return inventoryui.Invitation{}, err
	}
	m, err := requests.NewMailer(b.st)
	if err != nil {
		return inventoryui.Invitation{}, err
	}
	cmd := sshCommand(id)
	inv, _, err := requests.MailInvitation(b.st, m, id, cmd, b.now())
	if err != nil {
		return inventoryui.Invitation{}, err
	}
	return inventoryui.Invitation{Expires: inv.Expires, SSHCommand: cmd, MailedTo: u.Email}, nil
}

func (b *engineBackend) AddProfile(p model.Profile) error {
	_, err := b.st.AddProfile(p)
	return err
}

func (b *engineBackend) ProfileRecords() ([]store.ProfileRecord, error) { return b.st.Profiles() }

func (b *engineBackend) EditProfile(loaded store.ProfileRecord, p model.Profile) error {
	_, err := b.st.EditProfile(loaded, p)
	return err
}

func (b *engineBackend) SettingsEntry(profile string) (model.SettingsEntry, bool, error) {
	return inventoryui.StoreSettingsEntry(b.st, profile)
}

func (b *engineBackend) DeleteProfile(loaded store.ProfileRecord) error {
	return b.st.DeleteProfile(loaded)
}

func (b *engineBackend) ImportTokenFiles(paths []string, password string, opts store.ImportOptions) (store.ImportResult, error) {
	files := readTokenPaths(paths)
	if len(files) == 0 {
		return store.ImportResult{}, errors.New("no token file given")
	}
	return inventory.ImportTokenFiles(b.st, files, inventory.TokenFileOptions{Password: password}, opts)
}

// readTokenPaths expands directories (their *.sdtid files) and glob
// patterns into the files to import. It reads none of them: the import
// reads each when it gets to it (inventory.ReadTokenFile), so one file is
// in memory at a time, and a path that cannot be read, is no regular file
// or is too large becomes a rejection naming it.
func readTokenPaths(paths []string) []inventory.NamedData {
	var out []inventory.NamedData
	add := func(name string) {
		out = append(out, inventory.NamedData{Name: name, Path: name})
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			ms, _ := filepath.Glob(filepath.Join(p, "*.sdtid"))
			if len(ms) == 0 {
				out = append(out, inventory.NamedData{Name: p, Err: errors.New("the directory holds no .sdtid file")})
			}
			for _, m := range ms {
				add(m)
			}
		case err != nil && strings.ContainsAny(p, "*?["):
			ms, gerr := filepath.Glob(p)
			if gerr != nil || len(ms) == 0 {
				out = append(out, inventory.NamedData{Name: p, Err: fmt.Errorf("no file matches the pattern")})
			}
			for _, m := range ms {
				add(m)
			}
		default:
			add(p)
		}
	}
	return out
}

func (b *engineBackend) ImportUsersCSV(path string, opts store.ImportOptions) (store.ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.ImportResult{}, err
	}
	defer f.Close()
	return inventory.ImportUsersCSV(b.st, f, path, opts)
}

func (b *engineBackend) AuditRecords() ([]store.AuditRecord, error) {
	return b.st.AuditRecords(store.AuditFilter{})
}

func (b *engineBackend) VerifyAudit() (store.VerifyResult, error) { return b.st.VerifyAudit() }
