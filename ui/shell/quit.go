package shell

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// Quitting. The console quits at once when nothing would be lost, and
// otherwise asks, naming what would be lost: a screen's input, and the
// jobs not finished. What becomes of a running job depends on the key:
// after q (and y) swtoken finishes the job this console runs before it
// exits, and says when it finished; after ctrl+c it stops the job, which
// changes nothing and is queued again (Run exits 130, as the command line
// does for an interrupted job). The question follows the jobs while it is
// up: a job that ends is no longer a reason, and the question says when it
// ended.

// askQuit quits, or asks first when input or a job would be lost. ctrlC
// says the key was ctrl+c.
func (m *Model) askQuit(ctrlC bool) tea.Cmd {
	m.quitByCtrlC = ctrlC
	if len(m.quitReasons()) == 0 {
		return m.quit()
	}
	m.confirmQuit, m.quitNotes = true, nil
	return nil
}

// quit ends the program. Every screen drops its secrets first.
func (m *Model) quit() tea.Cmd {
	m.quitting, m.confirmQuit = true, false
	drop(m.stack...)
	return tea.Quit
}

// QuitByCtrlC reports a quit asked or confirmed with ctrl+c: Run stops the
// job this console runs (it is queued again) and exits 130.
func (m *Model) QuitByCtrlC() bool { return m.quitting && m.quitByCtrlC }

// quitReasons is what quitting now would lose or leave undone.
func (m *Model) quitReasons() []string {
	var reasons []string
	for _, s := range m.stack {
		if s.HasInput() {
			reason := "The wizard's input will be lost."
			if r := s.LossReason(); r != "" {
				reason = r
			}
			reasons = append(reasons, reason)
		}
	}
	if len(m.running) == 0 {
		return reasons
	}
	seqs := make([]uint64, 0, len(m.running))
	for s := range m.running {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	names := make([]string, len(seqs))
	for i, s := range seqs {
		names[i] = fmt.Sprintf("#%d", s)
	}
	reasons = append(reasons, fmt.Sprintf("%d job(s) not finished (%s).", len(seqs), strings.Join(names, ", ")))
	for _, s := range seqs {
		reasons = append(reasons, m.jobReason(m.running[s]))
	}
	return reasons
}

// jobReason says what quitting does to one unfinished job.
func (m *Model) jobReason(ev nav.JobEvent) string {
	name := fmt.Sprintf("Job #%d", ev.Seq)
	if ev.Name != "" {
		name += fmt.Sprintf(" %q", ev.Name)
	}
	const next = "the next runner (another console, swtoken jobs run, or the next start)"
	if ev.State != model.JobRunning {
		return fmt.Sprintf("%s waits in the queue for %s.", name, next)
	}
	progress := ""
	if ev.Total > 0 {
		progress = fmt.Sprintf(" (%d of %d tokens)", ev.Done, ev.Total)
	}
	if m.quitByCtrlC {
		return fmt.Sprintf("%s is running%s. If this console runs it, quitting with ctrl+c stops it: nothing is changed, and it is queued again and runs from the start with %s. To let it finish first, answer n and quit with q.",
			name, progress, next)
	}
	return fmt.Sprintf("%s is running%s. If this console runs it, swtoken finishes it before exiting and says when it finished (ctrl+c then stops it: it is queued again).",
		name, progress)
}

// endedNote says that a job ended while the quit question was up, and when.
func (m *Model) endedNote(ev nav.JobEvent) string {
	at := ev.At
	if at.IsZero() {
		at = m.c.Now()
	}
	verb := "ended"
	switch ev.State {
	case model.JobCompleted:
		verb = "completed"
	case model.JobFailed:
		verb = "failed"
	case model.JobCanceled:
		verb = "was canceled"
	}
	return fmt.Sprintf("Job #%d %q %s at %s: quitting no longer affects it.", ev.Seq, ev.Name, verb, model.FormatTime(at))
}

func (m *Model) quitView() string {
	t := m.c.Theme
	reasons := m.quitReasons()
	var b strings.Builder
	if len(reasons) == 0 {
		b.WriteString(t.Heading.Render("Quit swtoken? Nothing is lost by quitting now.") + "\n\n")
	} else {
		b.WriteString(t.Warn.Render("Quit swtoken?") + "\n\n")
	}
	for _, r := range append(reasons, m.quitNotes...) {
		b.WriteString(ansi.Wordwrap("- "+r, m.width-2, " ") + "\n")
	}
	b.WriteString("\n" + t.Key.Render("y") + " quit    " + t.Key.Render("n/esc") + " stay")
	return b.String()
}
