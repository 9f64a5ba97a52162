package ui

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/model"
)

// HomeCounts are the requests pending approval (store.CountRequests) and
// the messages waiting in the data directory's outbox (mail.Outbox.Waiting).
// An outbox that does not exist yet holds no message: reading the count
// creates nothing.
func (b *engineBackend) HomeCounts() (pending, outbox int, err error) {
	if pending, err = b.st.CountRequests(model.RequestPending); err != nil {
		return 0, 0, err
	}
	o := &mail.Outbox{Dir: filepath.Join(b.st.DataDir(), "outbox")}
	outbox, err = o.Waiting()
	if errors.Is(err, fs.ErrNotExist) {
		return pending, 0, nil
	}
	return pending, outbox, err
}
