package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
)

// TestUserOverviewIsWhatTheSeparateReadsReturnInOneTransaction: the
// overview of alice holds exactly what User, TokensByUser, Requests,
// SettingsWithProfiles, TokenShown (per fulfilled request) and UserKeys
// return, nothing of carol's, and takes one hold of the store where the
// separate reads take one each.
func TestUserOverviewIsWhatTheSeparateReadsReturnInOneTransaction(t *testing.T) {
	s := showStore(t)
	shown := fulfilCTF(t, s, "000000000005", DeliveryCTF)
	when := day(2030, 10, 2).Add(9 * time.Hour)
	if _, err := s.ShowToken(shown.ID(), "alice", when); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportUsers([]model.User{mkUser("carol")}, "users.csv", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "carol"} {
		if _, err := s.CreateRequest(model.RequestInput{User: u, Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword}); err != nil {
			t.Fatal(err)
		}
	}
	for _, add := range []struct{ user, comment string }{{"alice", "a1"}, {"carol", "c1"}, {"alice", "a2"}} {
		k, _ := testSSHKey(t, add.comment)
		if _, err := s.AddUserKey(add.user, k); err != nil {
			t.Fatal(err)
		}
	}

	var want UserOverview
	var err error
	if want.User, err = s.User("alice"); err != nil {
		t.Fatal(err)
	}
	if want.Tokens, err = s.TokensByUser("alice"); err != nil {
		t.Fatal(err)
	}
	if want.Requests, err = s.Requests(RequestFilter{User: "alice"}); err != nil {
		t.Fatal(err)
	}
	if want.Settings, want.Profiles, err = s.SettingsWithProfiles(); err != nil {
		t.Fatal(err)
	}
	want.Shown = map[string]TokenShownState{}
	for _, r := range want.Requests {
		if r.State == model.RequestFulfilled {
			var st TokenShownState
			if st.At, st.Waiting, err = s.TokenShown(r.ID()); err != nil {
				t.Fatal(err)
			}
			want.Shown[r.ID()] = st
		}
	}
	if want.Keys, err = s.UserKeys("alice"); err != nil {
		t.Fatal(err)
	}
	// The fixture has what the console shows: a token, two requests (one
	// fulfilled and shown), two keys; the settings offer profiles.
	if len(want.Tokens) != 2 || len(want.Requests) != 2 || len(want.Shown) != 1 || len(want.Keys) != 2 || len(want.Profiles) == 0 {
		t.Fatalf("the fixture is not what the test needs: %d tokens, %d requests, %d fulfilled, %d keys, %d profiles",
			len(want.Tokens), len(want.Requests), len(want.Shown), len(want.Keys), len(want.Profiles))
	}
	if st := want.Shown[shown.ID()]; !st.At.Equal(when) || st.Waiting {
		t.Fatalf("TokenShown of %s: %+v", shown.ID(), st)
	}

	before := s.holds.Load()
	got, err := s.UserOverview("alice")
	if err != nil {
		t.Fatal(err)
	}
	if n := s.holds.Load() - before; n != 1 {
		t.Fatalf("UserOverview took %d holds of the store, want 1", n)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("UserOverview differs from the separate reads:\n got %+v\nwant %+v", got, want)
	}
}

func TestUserOverviewOfAnUnknownUserIsNotFound(t *testing.T) {
	s := showStore(t)
	_, err := s.UserOverview("nobody")
	wantNotFound(t, err)
}
