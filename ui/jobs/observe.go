package jobs

import (
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/ui/nav"
)

// Observed is what a test that drives the whole console (ui's flows) reads
// of the Jobs screen; the console itself never uses it.
type Observed struct {
	// Tab is the tab shown; Selected the selected job's number.
	Tab      model.JobTab
	Selected uint64
	// Seq and State are the selected job's, once it is loaded (0 and ""
	// before).
	Seq   uint64
	State model.JobState
	// Downloading is true while the download dialog asks for the path;
	// Downloaded is the path written once the dialog shows the result.
	Downloading bool
	Downloaded  string
}

// Observe reads s when it is the Jobs screen.
func Observe(s nav.Screen) (Observed, bool) {
	js, ok := s.(*jobsScreen)
	if !ok {
		return Observed{}, false
	}
	o := Observed{Tab: js.tab, Selected: js.sel, Downloading: js.dlg == dlgPath}
	if js.dlg == dlgResult {
		o.Downloaded = js.result
	}
	if j, ok := js.job(js.sel); ok {
		o.Seq, o.State = j.Seq, j.State
	}
	return o, true
}
