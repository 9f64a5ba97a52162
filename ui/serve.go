package ui

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/store"
	"github.com/swtoken/swtoken/ui/kit"
	"github.com/swtoken/swtoken/ui/nav"
	"github.com/swtoken/swtoken/ui/selfservice"
	"github.com/swtoken/swtoken/ui/sshserve"
)

// SelfServiceConsole makes the Self-Service Console of each SSH session of
// swtoken serve on st: the user's own console, bound to the authenticated
// user and the client's address. Colours and glyphs follow what the
// client sent (NO_COLOR, the locale; no locale is ASCII), not the server's
// environment. main hands it to the command line.
//
// The sessions share one reader of the store's change counter (a
// changeWatcher, started with the first session): 100 sessions make two
// store reads a second while nothing changes, not 100. It ticks twice per
// session poll, so that a change made in another process still shows in
// an open session within about a poll and a half (1.5 s), not two.
func SelfServiceConsole(st *store.Store) sshserve.ModelFactory {
	host, _ := os.Hostname()
	sessions := &selfServiceSessions{st: st, watch: newChangeWatcher(st.ChangeCounter, selfservice.PollEvery/2)}
	return func(s sshserve.Session) tea.Model {
		theme := kit.NewTheme(!kit.NoColor(s.Getenv), kit.UnicodeLocale(s.Getenv))
		km := kit.DefaultKeyMap()
		if kit.ASCIITheme(theme) {
			kit.ASCIIHelp(km)
		}
		env := &kit.Env{Theme: theme, Keys: km, Now: time.Now, Host: host, User: s.User,
			StatusTTL: nav.StatusTTL, PollEvery: selfservice.PollEvery}
		return selfservice.New(env, sessions.backend(s))
	}
}

// selfServiceSessions makes the backends of serve's sessions on one
// store, all reading the change counter through one watcher.
type selfServiceSessions struct {
	st    *store.Store
	watch *changeWatcher
}

// backend is the backend of session s; it starts the watcher if no
// session did yet.
func (ss *selfServiceSessions) backend(s sshserve.Session) selfservice.Backend {
	ss.watch.start()
	b := NewSelfServiceBackend(ss.st, s.User, s.Addr).(*selfServiceBackend)
	b.changes = ss.watch.Changes
	return b
}

// changeWatcher reads a change counter every period on behalf of every
// session and keeps the last value and error, which Changes returns
// without reading the store. A change thus reaches a session's console
// within two periods at most (the watcher's and the console's own poll).
//
// It is started once, lazily, and serve never stops it: swtoken serve
// makes one and runs until SIGTERM, so the watcher lives as long as the
// process. After the store is closed it keeps the store's error, which
// nobody reads any more. (stop is for tests.)
type changeWatcher struct {
	read  func() (uint64, error)
	every time.Duration // 0: no ticker (tests tick by hand)
	once  sync.Once
	last  atomic.Pointer[counterRead]
	done  chan struct{}
}

// counterRead is one read of the change counter.
type counterRead struct {
	n   uint64
	err error
}

func newChangeWatcher(read func() (uint64, error), every time.Duration) *changeWatcher {
	return &changeWatcher{read: read, every: every, done: make(chan struct{})}
}

// start reads the counter once (so that Changes has a value as soon as
// start returns) and starts the ticker; later calls do nothing.
func (w *changeWatcher) start() {
	w.once.Do(func() {
		w.tick()
		if w.every > 0 {
			go w.loop()
		}
	})
}

func (w *changeWatcher) loop() {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.tick()
		case <-w.done:
			return
		}
	}
}

// stop ends the ticker (serve never calls it; tests do).
func (w *changeWatcher) stop() { close(w.done) }

// tick reads the counter and keeps what it read.
func (w *changeWatcher) tick() {
	n, err := w.read()
	w.last.Store(&counterRead{n: n, err: err})
}

// Changes is the counter as the watcher last read it.
func (w *changeWatcher) Changes() (uint64, error) {
	r := w.last.Load()
	return r.n, r.err
}
