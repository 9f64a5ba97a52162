package requests

import (
	"fmt"
	"strings"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/filterlist"
	"github.com/swtoken/swtoken/ui/kit"
)

// cells are the list's columns: ID, user, kind, profile, state, created,
// approvals; the profile takes what is left. Below 100 columns the user
// and kind columns narrow ("repl" for a replacement).
func cells(width int) []kit.Cell {
	userW, kindW, apprW, appr := 12, 11, 9, "Approvals"
	if width < 100 {
		userW, kindW, apprW, appr = 10, 4, 5, "Appr"
	}
	fixed := 2 + 7 + 1 + userW + 1 + kindW + 1 + 1 + 9 + 1 + 23 + 1 + apprW
	return []kit.Cell{
		{Text: "ID", W: 7, FV: 0}, {Text: "User", W: userW, FV: 1}, {Text: "Kind", W: kindW, FV: -1},
		{Text: "Profile", W: max(8, width-fixed), FV: 2}, {Text: "State", W: 9, FV: -1},
		{Text: "Created", W: 23, FV: -1}, {Text: appr, W: 0, FV: -1},
	}
}

// kindText is the kind in a column of width w.
func kindText(k model.RequestKind, w int) string {
	if k == model.RequestReplacement && w < len(k) {
		return "repl"
	}
	return string(k)
}

func (s *screen) render(it filterlist.Item, width int, selected bool, matched []int) string {
	r := it.(*row)
	cs := cells(width + 2)
	text := []string{r.fs[0], r.fs[1], kindText(r.r.Kind, cs[2].W), r.fs[2], string(r.r.State), model.FormatTime(r.r.Created), s.approvals(r.r)}
	for i := range cs {
		cs[i].Text = text[i]
	}
	return kit.RenderRow(s.c.Theme, cs, r.fs[:], matched, width, selected)
}

// approvals is "n/needed".
func (s *screen) approvals(r model.Request) string {
	return fmt.Sprintf("%d/%d", len(r.Approvals), s.needed)
}

func (s *screen) tabsView(w int) string {
	labels := make([]string, tabCount)
	counts := make([]int, tabCount)
	for t := TabPending; t < tabCount; t++ {
		labels[t], counts[t] = t.String(), s.counts[t]
	}
	return kit.QuickTabs(s.c.Theme, labels, counts, int(s.tab), w)
}

func (s *screen) View() string {
	w, h := s.Width(), s.Height()
	t := s.c.Theme
	switch {
	case s.err != nil:
		return kit.ErrorText(t, fmt.Errorf("cannot read the requests: %w", s.err), w)
	case !s.loaded:
		return "Loading the requests..."
	}
	var body string
	if _, ok := s.request(s.detail); ok && s.detail != "" {
		body = s.scroll.View()
		if pos := s.scroll.Position(); pos != "" {
			if s.dlg == dlgNone {
				pos += " (pgup/pgdn to scroll)"
			}
			body += "\n" + t.Muted.Render(pos)
		}
	} else {
		body = s.tabsView(w) + "\n\n"
		if s.counts[s.tab] == 0 {
			body += t.Muted.Render(kit.Wrap(map[Tab]string{
				TabPending:   "No request waits for a decision. Press n to make a request for a user.",
				TabCompleted: "No request has been fulfilled yet.",
				TabEnded:     "No request was rejected, canceled or failed.",
			}[s.tab], w))
		} else {
			l := s.list
			body += kit.ListWithHeader(&l, kit.HeaderRow(t, cells(w), w), w, max(4, h-3))
		}
	}
	if s.result != "" && s.dlg == dlgNone {
		body += "\n" + kit.Wrap(model.Printable(s.result), w)
	}
	if d := s.dialogView(w); d != "" {
		dh := strings.Count(d, "\n") + 1
		lines := kit.FitLines(body, w, max(0, h-dh-1))
		return strings.Join(lines, "\n") + "\n" + t.Muted.Render(strings.Repeat(t.G.Rule, w)) + "\n" + d
	}
	return strings.Join(kit.FitLines(body, w, h), "\n")
}

func (s *screen) detailView(r model.Request, w int) string {
	t := s.c.Theme
	kind := string(r.Kind)
	if r.Replaces != "" {
		kind += " of " + r.Replaces
		if r.LostOrBroken {
			kind += " (lost or broken)"
		}
	}
	pw := "none"
	if r.HasPassword {
		pw = "given (sealed until the request ends)"
	}
	rows := [][2]string{
		{"Request", r.ID()},
		{"User", model.Printable(r.User)},
		{"State", string(r.State)},
		{"Kind", kind},
		{"Profile", model.Printable(r.Profile)},
		{"Device serial", r.Binding.String()},
		{"Nickname", kit.TextValue(model.Printable(r.Nickname))},
		{"Password", pw},
		{"Reason", kit.TextValue(model.Printable(r.Reason))},
		{"Approvals", s.approvals(r)},
		{"Created", fmt.Sprintf("%s by %s (%s)", model.FormatTime(r.Created), model.Printable(r.CreatedBy), r.Origin)},
	}
	if r.Serial != "" {
		rows = append(rows, [2]string{"Token", r.Serial})
	}
	if r.StateReason != "" {
		rows = append(rows, [2]string{"Why", model.Printable(r.StateReason)})
	}
	var b strings.Builder
	b.WriteString(t.Heading.Render("Request details") + "\n" + kit.KVWrapped(t, rows, w) + "\n\n")
	b.WriteString(t.Heading.Render("History") + "\n")
	for _, e := range r.History {
		line := fmt.Sprintf("%s  %s  %s", model.FormatTime(e.At), model.Printable(e.Actor), e.Action)
		if e.From != "" {
			line += " from " + model.Printable(e.From)
		}
		b.WriteString(kit.Wrap(line, w) + "\n")
		if e.Comment != "" {
			b.WriteString(kit.Hang("    to the user: ", model.Printable(e.Comment), w) + "\n")
		}
		if e.Note != "" {
			b.WriteString(kit.Hang("    private note: ", model.Printable(e.Note), w) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *screen) dialogView(w int) string {
	t := s.c.Theme
	var b strings.Builder
	switch s.dlg {
	case dlgNone:
		return ""
	case dlgDecide:
		b.WriteString(t.Heading.Render(fmt.Sprintf("%s request %s", strings.ToUpper(s.what.String()[:1])+s.what.String()[1:], s.detail)) + "\n")
		need := "optional"
		if s.what == Reject {
			need = "required"
		}
		b.WriteString(fmt.Sprintf("%-22s  %s\n", "Comment to the user:", s.comment.View()))
		b.WriteString(t.Muted.Render(fmt.Sprintf("%-22s  %s", "", need+", sent to the user")) + "\n")
		b.WriteString(fmt.Sprintf("%-22s  %s", "Private note:", s.note.View()))
	case dlgBulk:
		n := len(s.bulkIDs)
		b.WriteString(t.Heading.Render("Bulk approval") + "\n")
		b.WriteString(kit.Wrap(fmt.Sprintf("Approve the %s shown (the filtered Pending list)? Type %d and press enter.", kit.Plural(n, "pending request", "pending requests"), n), w) + "\n")
		b.WriteString(fmt.Sprintf("%-22s  %s\n", "Count:", s.count.View()))
		b.WriteString(fmt.Sprintf("%-22s  %s\n", "Comment to the users:", s.comment.View()))
		b.WriteString(t.Muted.Render(fmt.Sprintf("%-22s  %s", "", "optional, sent to every user approved")) + "\n")
		b.WriteString(fmt.Sprintf("%-22s  %s", "Private note:", s.note.View()))
	}
	if s.working {
		b.WriteString("\nWorking...")
	}
	if s.dlgErr != "" {
		b.WriteString("\n" + kit.HangBreak(t.Error.Render("ERROR: "), model.Printable(s.dlgErr), w))
	}
	return b.String()
}
