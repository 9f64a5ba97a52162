package ui

import (
	"strings"
	"testing"

	swmail "github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
	requestsui "github.com/swtoken/swtoken/ui/requests"
)

// requestUser is a demo user who may request a token.
func requestUser(t *testing.T, st *store.Store) model.User {
	t.Helper()
	var found *model.User
	err := st.EachUser(func(u model.User) error {
		if found != nil || u.Email == "" {
			return nil
		}
		n, err := st.UserTokenCount(u.ID)
		if err == nil && n < model.MaxTokensPerUser {
			found = &u
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != nil {
		return *found
	}
	t.Fatal("no demo user may request a token")
	return model.User{}
}

// outboxSubjects are the subjects of the messages waiting in the outbox.
func outboxSubjects(t *testing.T, st *store.Store) []string {
	t.Helper()
	o, err := swmail.OpenOutbox(st.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	es, err := o.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.To+": "+e.Subject)
	}
	return out
}

// TestEngineBackendRequestsQueueTheUsersMessages: the console's request
// form and its rejection queue the user's messages as the CLI does, and
// the list is newest first with the policy's approvals.
func TestEngineBackendRequestsQueueTheUsersMessages(t *testing.T) {
	be, st := realBackend(t)
	c, err := be.RequestChoices()
	if err != nil || len(c.Profiles) == 0 {
		t.Fatalf("choices %+v, %v", c, err)
	}
	u := requestUser(t, st)
	in := model.RequestInput{User: u.ID, Profile: c.Profiles[0].Name, Reason: "test"}
	if c.PasswordRequired {
		in.Password, in.PasswordConfirm = "Correct-Horse-9", "Correct-Horse-9"
	}
	out, err := be.MakeRequest(in)
	if err != nil || out.Warning != "" {
		t.Fatalf("make: %+v, %v", out, err)
	}
	if out.Request.Origin != model.OriginConsole {
		t.Errorf("origin %q", out.Request.Origin)
	}
	if got := outboxSubjects(t, st); len(got) != 1 || !strings.Contains(got[0], u.Email) {
		t.Fatalf("outbox after the request: %q", got)
	}
	l, err := be.RequestList()
	if err != nil || len(l.Requests) != 1 || l.Needed != model.DefaultApprovalPolicy.Needed() {
		t.Fatalf("list %+v, %v", l, err)
	}
	r := l.Requests[0]
	if _, err := be.DecideRequest(requestsui.Reject, store.RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "no badge"}); err != nil {
		t.Fatal(err)
	}
	if got := outboxSubjects(t, st); len(got) != 2 {
		t.Fatalf("outbox after the rejection: %q", got)
	}
	// A stale revision is refused with who changed it.
	_, err = be.DecideRequest(requestsui.Approve, store.RequestDecision{ID: r.ID(), Revision: r.Revision})
	if err == nil {
		t.Fatal("a decision on a stale revision was accepted")
	}
}

// TestEngineBackendRequestUsersListsEveryUser: the request form's users
// are every stored user in ID order with the full name and the e-mail,
// a user without an address included (with none).
func TestEngineBackendRequestUsersListsEveryUser(t *testing.T) {
	be, st := realBackend(t)
	if _, err := st.ImportUsers([]model.User{
		{ID: "zz-nomail", FirstName: "Zora", LastName: "Nomail"},
		{ID: "zz-named", FirstName: "Zed", LastName: "Named", Email: "zed@example.com"},
	}, "test", store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var want []model.User
	if err := st.EachUser(func(u model.User) error { want = append(want, u); return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := be.RequestUsers()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) < 3 {
		t.Fatalf("%d users offered, the store holds %d", len(got), len(want))
	}
	for i, u := range want {
		if got[i].ID != u.ID {
			t.Fatalf("user %d is %q, want %q (ID order)", i, got[i].ID, u.ID)
		}
	}
	byID := map[string]requestsui.UserChoice{}
	for _, u := range got {
		byID[u.ID] = u
	}
	if u := byID["zz-named"]; u.Name != "Zed Named" || u.Email != "zed@example.com" {
		t.Errorf("zz-named offered as %+v", u)
	}
	if u, ok := byID["zz-nomail"]; !ok || u.Name != "Zora Nomail" || u.Email != "" {
		t.Errorf("the user without e-mail offered as %+v (present %v)", u, ok)
	}
}
