package filterlist

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// Golden files live in testdata/; regenerate with
//   go test ./ui/filterlist/ -run Golden -update

var goldenValues = tokenValues(100000)

func goldenList(t *testing.T, w, h int, filter string, opts ...Option) Model {
	t.Helper()
	m := New(append([]Option{WithDebounce(0)}, opts...)...)
	m.SetItems(itemsOf(goldenValues))
	m.SetSize(w, h)
	if filter != "" {
		m.Focus()
		m, _ = settle(t, m, m.SetFilterValue(filter))
		if m.Pending() {
			t.Fatal("pending")
		}
	}
	return m
}

func checkLines(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("line %d is %d cells wide (> %d): %q", i, ansi.StringWidth(l), w, ansi.Strip(l))
		}
	}
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			t.Run("unfiltered", func(t *testing.T) {
				m := goldenList(t, w, h, "")
				m, _ = m.Update(press("pgdown"))
				m, _ = m.Update(press("down"))
				v := m.View()
				checkLines(t, v, w, h)
				golden.RequireEqual(t, ansi.Strip(v))
			})
			t.Run("filtered", func(t *testing.T) {
				m := goldenList(t, w, h, "jsmith AES")
				m, _ = m.Update(press("down"))
				v := m.View()
				checkLines(t, v, w, h)
				golden.RequireEqual(t, ansi.Strip(v))
			})
		})
	}
}

func TestGoldenASCII(t *testing.T) {
	m := goldenList(t, 80, 24, "42 walker SI", WithASCII(true))
	v := m.View()
	checkLines(t, v, 80, 24)
	for _, r := range ansi.Strip(v) {
		if r > 127 {
			t.Fatalf("non-ASCII rune %q in ASCII mode", r)
		}
	}
	golden.RequireEqual(t, ansi.Strip(v))
}

var placeValues = []string{
	"Zürich-job", "日本-export", "Genève nightly", "Richmond", "Ürümqi ric", "plain-ric",
	"a very long name that will not fit in a narrow terminal: Zürich Zürich Zürich Zürich",
}

// TestGoldenNonASCII keeps the escape sequences: the golden shows which
// runes are underlined (matched), so a byte/rune mix-up changes it.
func TestGoldenNonASCII(t *testing.T) {
	m := New(WithDebounce(0))
	m.SetItems(items(placeValues...))
	m.SetSize(40, 10)
	m.Focus()
	m, _ = settle(t, m, m.SetFilterValue("ric"))
	v := m.View()
	checkLines(t, v, 40, 10)
	t.Run("stripped", func(t *testing.T) { golden.RequireEqual(t, ansi.Strip(v)) })
	t.Run("styled", func(t *testing.T) { golden.RequireEqual(t, v) })
}

func TestHighlightRunes(t *testing.T) {
	base := lipgloss.NewStyle()
	match := lipgloss.NewStyle().Underline(true)
	got := Highlight("Zürich-job", matchedRunes("ric", "Zürich-job"), base, match)
	want := base.Render("Zü") + match.Render("ric") + base.Render("h-job")
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	got = Highlight("日本-export", matchedRunes("日ex", "日本-export"), base, match)
	want = match.Render("日") + base.Render("本-") + match.Render("ex") + base.Render("port")
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestTruncateKeepsMatches(t *testing.T) {
	s, m := Truncate("Zürich-job-number-one", []int{2, 3, 4, 18, 19}, 10, "…")
	if s != "Zürich-jo…" || len(m) != 3 {
		t.Fatalf("got %q %v", s, m)
	}
	s, m = Truncate("日本日本日本", []int{0, 5}, 7, "...")
	if s != "日本..." || len(m) != 1 {
		t.Fatalf("got %q %v", s, m)
	}
}

func TestSelectedRowHasMarker(t *testing.T) {
	for _, ascii := range []bool{false, true} {
		m := New(WithASCII(ascii))
		m.SetItems(items(fruit...))
		m.SetSize(40, 6)
		m, _ = m.Update(press("down"))
		lines := strings.Split(ansi.Strip(m.View()), "\n")
		marker := "▸ "
		if ascii {
			marker = "> "
		}
		if lines[2] != marker+fruit[1]+strings.Repeat(" ", 38-len(fruit[1])) || !strings.HasPrefix(lines[1], "  ") {
			t.Fatalf("ascii=%v: rows %q %q", ascii, lines[1], lines[2])
		}
	}
}
