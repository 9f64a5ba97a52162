package store

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/model"
)

// TestCheckFindsDamagedSelfServiceAccess: Check sees a key of a user who
// does not exist, a key index entry without its key, an enrollment code of
// no user, and a show copy of a request that is not fulfilled or was shown.
func TestCheckFindsDamagedSelfServiceAccess(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"key of a missing user", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUsers).Delete([]byte("carol"))
		}, `for user "carol", who does not exist`},
		{"index entry without its key", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketUserKeysByFP).Put([]byte("SHA256:xyz"), []byte("bob"))
		}, `names user "bob" for key SHA256:xyz, which the user does not have`},
		{"key without its index entry", func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketUserKeysByFP).Cursor()
			k, _ := c.First()
			return tx.Bucket(bucketUserKeysByFP).Delete(k)
		}, `user_keys_by_fingerprint does not name user "carol"`},
		{"enrollment of no user", func(tx *bolt.Tx) error {
			v := tx.Bucket(bucketEnrollments).Get([]byte("alice"))
			return tx.Bucket(bucketEnrollments).Put([]byte("ghost"), append([]byte(nil), v...))
		}, `an enrollment code is kept for user "ghost", who does not exist`},
		{"show copy of an unfulfilled request", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketRequestsShow).Put(itob(2), []byte("sealed"))
		}, "request R-2 is approved but a token copy to show is kept for it"},
		{"show copy after the show", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketRequestsShown)
			if err != nil {
				return err
			}
			return b.Put(itob(1), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
		}, "its token was shown but a copy is still kept"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := showStore(t)
			dir := s.DataDir()
			fulfilCTF(t, s, "000000000005", DeliveryCTF)
			seedStore(t, s, []string{"carol"}, nil)
			if _, err := s.CreateRequest(model.RequestInput{User: "carol", Origin: model.OriginCLI}); err != nil {
				t.Fatal(err)
			}
			k, _ := testSSHKey(t, "")
			if _, err := s.AddUserKey("carol", k); err != nil {
				t.Fatal(err)
			}
			if _, err := s.InviteUser("alice", day(2030, 10, 1)); err != nil {
				t.Fatal(err)
			}
			if err := s.Check(); err != nil {
				t.Fatalf("a sound store: %v", err)
			}
			rawUpdate(t, dir, c.damage)
			err := s.Check()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check: %v\nwant %q", err, c.want)
			}
		})
	}
}
