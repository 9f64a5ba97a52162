package store

import bolt "go.etcd.io/bbolt"

// metaChangeCounter is meta/change_counter: a number that every write
// transaction raises by one, in the transaction itself, so that an open
// console can tell cheaply (one small read) whether anything changed since
// it last looked.
var metaChangeCounter = []byte("change_counter")

// bumpChangeCounter raises the counter; a store whose meta bucket does not
// exist yet (before migration 1) has none.
func bumpChangeCounter(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return nil
	}
	var n uint64
	if v := meta.Get(metaChangeCounter); len(v) == 8 {
		n = btoi(v)
	}
	return meta.Put(metaChangeCounter, itob(n+1))
}

// ChangeCounter returns the change counter: equal values mean that no
// write transaction committed in between, by any process.
func (s *Store) ChangeCounter() (n uint64, err error) {
	err = s.viewBolt(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if v := meta.Get(metaChangeCounter); len(v) == 8 {
				n = btoi(v)
			}
		}
		return nil
	})
	return n, err
}

// ChangeCounter is the change counter as this transaction sees it.
func (t *Tx) ChangeCounter() uint64 {
	if meta := t.tx.Bucket(bucketMeta); meta != nil {
		if v := meta.Get(metaChangeCounter); len(v) == 8 {
			return btoi(v)
		}
	}
	return 0
}
