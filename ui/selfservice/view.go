package selfservice

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/kit"
)

// cut fits a (possibly styled) line into w cells.
func cut(t *kit.Theme, s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, t.G.Ellipsis)
}

// expiryText is a token's expiry for people: "expires 2026-10-10".
func expiryText(death, now time.Time) string {
	switch {
	case death.IsZero():
		return "never expires"
	case (model.Token{Death: death}).Expired(now):
		return "expired " + model.Date(death).Format(time.DateOnly)
	}
	return "expires " + model.Date(death).Format(time.DateOnly)
}

func kindText(k model.RequestKind) string {
	if k == model.RequestReplacement {
		return "replacement"
	}
	return "new token"
}

// render is the frame, h lines of at most w cells.
func (m *Model) render() string {
	if m.quitting {
		return ""
	}
	t := m.env.Theme
	var body []string
	switch {
	case m.help:
		body = m.helpLines()
	case !m.loaded && m.loadErr != nil:
		body = []string{m.header(), ""}
		body = append(body, strings.Split(kit.ErrorText(t, fmt.Errorf("cannot read your tokens and requests: %w", m.loadErr), m.w), "\n")...)
	case !m.loaded:
		body = []string{"Loading your tokens and requests..."}
	case m.mode == modeQR:
		return m.frame(m.qrLines(), false)
	case m.mode == modeForm:
		body = append([]string{m.header(), ""}, m.form.view(t, m.w)...)
	case m.mode == modeConfirmShow:
		body = m.confirmLines()
	case m.mode == modeKeys:
		body = m.keyLines()
	default:
		body = m.mainLines()
	}
	return m.frame(body, true)
}

// frame puts the body over the status line and the footer, in exactly
// m.h lines.
func (m *Model) frame(body []string, status bool) string {
	t := m.env.Theme
	var bottom []string
	if status {
		line := ""
		if m.status != "" {
			st := t.OK
			if m.statusErr {
				st = t.Error
			}
			line = cut(t, st.Render(m.status), m.w)
		}
		bottom = append(bottom, line)
	}
	bottom = append(bottom, m.footer())
	room := max(0, m.h-len(bottom))
	if len(body) > room {
		body = body[:room]
	}
	for len(body) < room {
		body = append(body, "")
	}
	lines := append(body, bottom...)
	for i, l := range lines {
		lines[i] = cut(t, l, m.w)
	}
	return strings.Join(lines, "\n")
}

// footer is the short help on one line.
func (m *Model) footer() string {
	t := m.env.Theme
	var parts []string
	for _, b := range m.shortHelp() {
		parts = append(parts, t.Key.Render(b.Help().Key)+" "+t.Desc.Render(b.Help().Desc))
	}
	return strings.Join(parts, t.G.Dot)
}

// header says who the user is.
func (m *Model) header() string {
	t := m.env.Theme
	u := m.d.Me
	who := model.Printable(u.ID)
	if name := strings.TrimSpace(u.FirstName + " " + u.LastName); name != "" {
		who += " (" + model.Printable(name) + ")"
	}
	return t.App.Render("swtoken Self-Service") + t.G.Dot + "signed in as " + who
}

// mainLines are the tokens, the requests and the selected request's
// details.
func (m *Model) mainLines() []string {
	t := m.env.Theme
	now := m.env.Now()
	top := []string{m.header(), "", t.Heading.Render("Your tokens")}
	if len(m.d.Tokens) == 0 {
		top = append(top, "  You hold no token. Press n to request one.")
	}
	for _, tk := range m.d.Tokens {
		nick := model.Printable(tk.Nickname)
		if nick == "" {
			nick = "(no nickname)"
		}
		top = append(top, fmt.Sprintf("  %-12s  %-24s  %s", tk.Serial, nick, expiryText(tk.Expires, now)))
		if contains(m.d.Choices.Replaceable, tk.Serial) {
			days := model.Token{Death: tk.Expires}.DaysLeft(now)
			top = append(top, t.Warn.Render(fmt.Sprintf("  %12s  expires in %s: you may request a replacement (r)", "", kit.Plural(days, "day", "days"))))
		}
	}
	if m.h < 30 {
		top = append(top, "", m.keysCompact())
	} else {
		top = append(top, "")
		top = append(top, m.keysSection(4)...)
	}
	top = append(top, "", t.Heading.Render("Your requests, newest first"))
	details := m.detailLines()
	room := m.h - 2 - len(top) - len(details) - 1
	var rows []string
	if len(m.d.Requests) == 0 {
		rows = []string{"  You have made no request."}
	}
	first := 0
	if room > 0 && m.cursor >= room {
		first = m.cursor - room + 1
	}
	for i := first; i < len(m.d.Requests) && i-first < max(1, room); i++ {
		r := m.d.Requests[i]
		mark := t.G.NoCursor
		if i == m.cursor {
			mark = t.G.Cursor
		}
		row := fmt.Sprintf("%s%-7s %-11s %-9s %s  %s", mark, r.ID, kindText(r.Kind), r.State,
			r.Created.In(time.Local).Format(time.DateOnly), model.Printable(r.Profile))
		row = cut(t, row, m.w)
		if i == m.cursor {
			row = t.Selected.Render(row)
		}
		rows = append(rows, row)
	}
	out := append(top, rows...)
	if len(details) > 0 {
		out = append(out, "")
		out = append(out, details...)
	}
	return out
}

// detailLines describe the selected request: its state, what the
// approvers said, and where its token went.
func (m *Model) detailLines() []string {
	r, ok := m.selected()
	if !ok {
		return nil
	}
	t := m.env.Theme
	var s []string
	head := r.ID + ": " + kindText(r.Kind)
	if r.Replaces != "" {
		head += " of token " + r.Replaces
	}
	if r.Nickname != "" {
		head += ", nickname " + model.Printable(r.Nickname)
	}
	s = append(s, head+".")
	switch r.State {
	case model.RequestPending:
		s = append(s, "It waits for approval.")
	case model.RequestApproved:
		s = append(s, "It is approved; your token is being prepared.")
	case model.RequestFulfilled:
		done := "Fulfilled with token " + r.Serial + "."
		switch {
		case r.CTF && r.ShownAt.IsZero():
			done += " Press s to show it (once): a link and its QR code for your phone."
		case r.CTF:
			done += " It was shown on " + model.FormatTime(r.ShownAt) + " and cannot be shown again."
		case r.MailedTo != "":
			done += " The token file was mailed to " + model.Printable(r.MailedTo) + "."
		default:
			done += " The token file was sent by e-mail."
		}
		s = append(s, done)
	}
	for _, c := range r.Comments {
		s = append(s, fmt.Sprintf("%s %s: %s", c.At.In(time.Local).Format(time.DateOnly), c.Action, model.Printable(c.Text)))
	}
	var out []string
	for _, l := range s {
		out = append(out, strings.Split(kit.WrapLong(l, m.w-2), "\n")...)
	}
	const most = 6
	if len(out) > most {
		out = append(out[:most-1], t.Muted.Render(t.G.Ellipsis+" (widen the window to read the rest)"))
	}
	return out
}

func (m *Model) confirmLines() []string {
	t := m.env.Theme
	text := "Show the token of request " + m.showID + " now? It is shown once: after you leave the next screen it cannot be shown again. Have your phone's authenticator app ready to scan the QR code, or copy the link."
	out := []string{m.header(), "", t.Heading.Render("Show my token"), ""}
	out = append(out, strings.Split(kit.Wrap(text, m.w), "\n")...)
	out = append(out, "", kit.Confirm{Yes: "show it now", No: "not now"}.Choices(t))
	if m.showing {
		out = append(out, "", "Working...")
	}
	return out
}

// qrLines are the QR code and the link below it. At 80x24 a v2 link's
// code (version 5, 45 columns and 23 lines with its quiet zone of four
// modules) and the link do not fit with a title, so the quiet zone is cut
// to two modules there: the terminal's own lines and the link text are
// not light, but two modules are what readers need in practice.
func (m *Model) qrLines() []string {
	t := m.env.Theme
	link := strings.Split(ansi.Hardwrap(m.link, max(1, m.w), false), "\n")
	if m.qrText == "" {
		return append([]string{t.Heading.Render("Your token (" + m.showID + ")"), "The link is too long for a QR code; copy it:"}, link...)
	}
	code := strings.Split(strings.TrimSuffix(m.qrText, "\n"), "\n")
	width := lipgloss.Width(code[0])
	title := t.Heading.Render("Your token ("+m.showID+"): scan the code or copy the link") + " " + t.Muted.Render("shown once")
	switch {
	case len(code)+len(link)+2 <= m.h && width <= m.w:
		return append(append([]string{title}, code...), link...)
	case len(code)-2+len(link)+1 <= m.h && width-4 <= m.w:
		code = code[1 : len(code)-1]
		for i, l := range code {
			r := []rune(l)
			code[i] = string(r[2 : len(r)-2])
		}
		return append(code, link...)
	}
	need := fmt.Sprintf("%dx%d", width-4, len(code)-2+len(link)+1)
	out := []string{title, "", kit.Wrap("The window is too small for the QR code: make it at least "+need+" (it is "+
		fmt.Sprintf("%dx%d", m.w, m.h)+"). The link:", m.w)}
	return append(out, link...)
}

// helpLines are the full help: every key of the state under it.
func (m *Model) helpLines() []string {
	t := m.env.Theme
	out := []string{t.Heading.Render("Help"), ""}
	for _, b := range m.fullHelp() {
		out = append(out, fmt.Sprintf("  %-14s %s", b.Help().Key, b.Help().Desc))
	}
	out = append(out, "")
	out = append(out, strings.Split(kit.Wrap("This console shows your tokens and your requests. Request a new token with n, "+
		"or a replacement with r when a token expires soon; an administrator approves requests, and you get "+
		"e-mail about each step. A token delivered as a link is shown here once, with s. "+
		"Add your SSH public key with a, and log in with it from then on instead of an enrollment code; "+
		"you cannot remove a key here: an administrator does that (swtoken users keys remove).", m.w), "\n")...)
	return out
}
