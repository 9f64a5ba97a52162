package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swtoken/swtoken/engine/inventory"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/store"
	inventoryui "github.com/swtoken/swtoken/ui/inventory"
	"github.com/swtoken/swtoken/ui/nav"
)

// Run: go test -run='^$' -bench=. -benchmem ./ui/
//
// BenchmarkStartup100k measures what product.md section 9 asks: start to
// the first frame with 100,000 tokens and 100,000 users in the store. Each
// iteration does what ui.Run does: open the store, start the engine,
// subscribe the backend, build the root model, run Init and the commands
// the first frame needs (the first-run question and the unfinished jobs),
// size the window and render View. The store is built once, outside the
// timer (inventory.LoadDemo).
//
// BenchmarkEnterTokens100k measures opening the Tokens screen over that
// store: its load Cmd (every token read and turned into a list row), the
// Update that hands the rows to the list, and the first frame.
//
// BenchmarkTokensKeystroke100k is one filter keystroke at the screen level:
// the key through the root and the Tokens screen, the search Cmd (narrowed
// from the previous pattern), the Update that applies the result, and the
// frame.

func demoStore(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "data")
	st, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := inventory.LoadDemo(st, 100_000, 100_000, time.Now()); err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// console is one started console over a real store.
type console struct {
	st     *store.Store
	eng    *jobs.Engine
	be     *engineBackend
	m      *Model
	cancel context.CancelFunc
	msgs   chan tea.Msg
}

// startConsole opens the store and renders the first frame, as ui.Run.
func startBenchConsole(b *testing.B, dir string) *console {
	st, err := store.Open(store.Options{DataDir: dir, Activity: "console open"})
	if err != nil {
		b.Fatal(err)
	}
	eng := jobs.New(st, jobs.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	eng.Start(ctx)
	be := NewEngineBackend(st, eng).(*engineBackend)
	c := &console{st: st, eng: eng, be: be, m: New(be, Options{}), cancel: cancel, msgs: make(chan tea.Msg, 64)}
	c.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	c.spawn(c.m.Init())
	// Deliver messages until the first real screen is up. The event
	// listener (waitEvent) keeps blocking, as in the program.
	for !c.ready() {
		c.deliver(<-c.msgs)
	}
	if c.m.Render() == "" {
		b.Fatal("empty first frame")
	}
	return c
}

func (c *console) ready() bool {
	switch c.m.Top().Title() {
	case "Home", "First run":
		return true
	}
	return false
}

// spawn runs cmd (batches concurrently, like the program) and queues its
// messages.
func (c *console) spawn(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, cc := range msg {
				c.spawn(cc)
			}
		default:
			c.msgs <- msg
		}
	}()
}

func (c *console) deliver(msg tea.Msg) {
	_, cmd := c.m.Update(msg)
	c.spawn(cmd)
}

func (c *console) close(b *testing.B) {
	c.cancel()
	<-c.eng.Done()
	c.be.Close()
	if err := c.st.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkStartup100k(b *testing.B) {
	dir := demoStore(b)
	for b.Loop() {
		c := startBenchConsole(b, dir)
		b.StopTimer()
		if ok := c.m.Top().IsHome(); !ok {
			b.Fatalf("first frame is %T", c.m.Top())
		}
		c.close(b)
		b.StartTimer()
	}
}

func BenchmarkEnterTokens100k(b *testing.B) {
	dir := demoStore(b)
	c := startBenchConsole(b, dir)
	defer c.close(b)
	for b.Loop() {
		c.deliver(nav.PushMsg{S: inventoryui.NewTokens(newEnv(Options{}), c.be)})
		for {
			if o, _ := inventoryui.ObserveTokens(c.m.Top()); o.Loaded {
				break
			}
			c.deliver(<-c.msgs)
		}
		_ = c.m.Render()
		b.StopTimer()
		if o, _ := inventoryui.ObserveTokens(c.m.Top()); o.Listed != 100_000 {
			b.Fatalf("%d tokens listed", o.Listed)
		}
		c.deliver(nav.PopMsg{})
		b.StartTimer()
	}
}
