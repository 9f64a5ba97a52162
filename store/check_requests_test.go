package store

import (
	"errors"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// TestCheckFindsDamagedRequests: Check sees a request without its per-user
// index entry, an index entry without its request or naming another user,
// and a sealed password kept after its request ended (or for no request).
func TestCheckFindsDamagedRequests(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"index entry missing", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsByUser).Delete(requestUserKey("alice", 1))
		}, `requests_by_user has no entry for request R-1 of user "alice"`},
		{"index entry for a missing request", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsByUser).Put(requestUserKey("bob", 99), nil)
		}, `requests_by_user["bob"] names request R-99, which does not exist`},
		{"index entry under another user", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsByUser).Put(requestUserKey("bob", 1), nil)
		}, `requests_by_user["bob"] names request R-1 of user "alice"`},
		{"password kept after the request ended", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsPasswords).Put(itob(2), []byte("sealed"))
		}, "request R-2 has ended (rejected) but its sealed password is still kept"},
		{"password for no request", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsPasswords).Put(itob(77), []byte("sealed"))
		}, "a sealed request password is kept for request 000000000000004d, which does not exist"},
		{"request of a missing user", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Delete([]byte("nomail2"))
		}, `request R-2 names user "nomail2", which does not exist`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, dir := requestStore(t)
			in := model.RequestInput{User: "alice", Origin: model.OriginCLI, Password: reqPassword, PasswordConfirm: reqPassword}
			if _, err := s.CreateRequest(in); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatalf("a sound store with a request: %v", err)
			}
			if c.name == "password kept after the request ended" || c.name == "request of a missing user" {
				// a second user's request, rejected (its password destroyed).
				if _, err := s.ImportUsers([]model.User{{ID: "nomail2", FirstName: "N", LastName: "M", Email: "n@example.com"}}, "u.csv", ImportOptions{}); err != nil {
					t.Fatal(err)
				}
				r, err := s.CreateRequest(model.RequestInput{User: "nomail2", Origin: model.OriginCLI})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.RejectRequest(RequestDecision{ID: r.ID(), Revision: r.Revision, Comment: "no"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			rawUpdate(t, dir, c.damage)
			s2, err := Open(Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			err = s2.Check()
			var ce *CheckError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("the report lacks %q:\n%v", c.want, err)
			}
		})
	}
}
