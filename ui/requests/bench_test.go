package requests

import (
	"fmt"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// Run: go test -run='^$' -bench=100k -benchmem ./ui/requests/
//
// The Requests screen over 100,000 requests: loading them (the listing's
// message, the tabs and the list's 100,000 rows, one render) and one
// keystroke of the filter (the key's Update, the search Cmd, the result's
// Update and the render), as the admin types.

var firstNames = []string{"james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth"}
var lastNames = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez", "smithers", "jackson"}

// bigBackend has n requests, newest first; pending ones are every
// pending/total fraction, the others fulfilled or rejected.
func bigBackend(n, pendingEvery int) *fakeBackend {
	be := &fakeBackend{needed: 2, reqs: make([]model.Request, n)}
	profiles := []string{"Staff iPhone", "Staff Android", "Contractors", "Field engineers"}
	for i := range n {
		seq := uint64(n - i)
		user := fmt.Sprintf("%s.%s%d", firstNames[seq%10], lastNames[(seq/10)%12], seq%1000)
		st := model.RequestPending
		if seq%uint64(pendingEvery) != 0 {
			st = []model.RequestState{model.RequestFulfilled, model.RequestRejected}[seq%2]
		}
		be.reqs[i] = req(seq, user, profiles[seq%4], st)
	}
	return be
}

func BenchmarkRequestsLoad100k(b *testing.B) {
	be := bigBackend(100_000, 1)
	l, _ := be.RequestList()
	for b.Loop() {
		s := newTestScreen(be)
		s.SetSize(120, 40)
		h := &harness{s: s}
		h.deliver(loadedMsg{l, nil})
		if s.list.Len() != 100_000 {
			b.Fatalf("%d rows", s.list.Len())
		}
		_ = s.View()
	}
}

func BenchmarkRequestsKeystroke100k(b *testing.B) {
	for _, c := range []struct {
		name         string
		pendingEvery int
	}{{"pending-100k", 1}, {"pending-20k-of-100k", 5}} {
		b.Run(c.name, func(b *testing.B) {
			s := newTestScreen(bigBackend(100_000, c.pendingEvery))
			h := newHarness(s, 120, 40)
			h.press("/")
			key := func(b *testing.B, from, r, want string) {
				h.deliver(s.list.SetFilterValue(""))
				h.run(s.fill(false)) // a fresh item generation: no cached result
				h.deliver(s.list.SetFilterValue(from))
				base := s.list
				for b.Loop() {
					s.list = base // back to from, whose cache does not know want
					h.press(r)
					_ = s.View()
				}
				if s.list.FilterValue() != want || s.list.Pending() {
					b.Fatalf("not settled on %q", want)
				}
				b.ReportMetric(float64(s.list.Len()), "matches")
			}
			b.Run("narrow-smi-to-smit", func(b *testing.B) { key(b, "smi", "t", "smit") })
			b.Run("fresh-first-char-j", func(b *testing.B) { key(b, "", "j", "j") })
			b.Run("fresh-first-char-r", func(b *testing.B) { key(b, "", "r", "r") }) // every ID starts with R
			b.Run("narrow-r-1-to-r-12", func(b *testing.B) { key(b, "r-1", "2", "r-12") })
		})
	}
}

// BenchmarkUserPicker100k is the request form's user picker over 100,000
// users: loading them (the rows and the ID index, in the Cmd; the
// message's Update; one render), and one keystroke in the User ID field
// (the key's Update, the search, the result's Update, the render).
func BenchmarkUserPicker100k(b *testing.B) {
	be := fixture()
	be.users = make([]UserChoice, 100_000)
	for i := range be.users {
		be.users[i] = UserChoice{ID: fmt.Sprintf("%s.%s%d", firstNames[i%10], lastNames[(i/10)%12], i), Name: firstNames[i%10] + " " + lastNames[(i/10)%12], Email: fmt.Sprintf("u%d@example.com", i)}
	}
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			f := newTestForm(be)
			h := newHarness(f, 120, 40)
			if f.users.Len() != 100_000 {
				b.Fatalf("%d rows", f.users.Len())
			}
			_ = h.s.View()
		}
	})
	b.Run("keystroke-smi-to-smit", func(b *testing.B) {
		f := newTestForm(be)
		h := newHarness(f, 120, 40)
		for b.Loop() {
			f.in[fUser].SetValue("smi")
			f.in[fUser].CursorEnd()
			h.run(f.filterUsers())
			h.press("t")
			_ = h.s.View()
		}
		if f.users.FilterValue() != "smit" || f.users.Pending() {
			b.Fatal("not settled on smit")
		}
		b.ReportMetric(float64(f.users.Len()), "matches")
	})
}
