package shell

// The root's own messages; the screens' navigation and status messages are
// in ui/nav.
type (
	clearStatusMsg struct{ seq int }

	// eventsClosedMsg says the engine stopped.
	eventsClosedMsg struct{}

	// storeStateMsg answers the first-run question.
	storeStateMsg struct {
		empty bool
		err   error
	}
	// runningJobsMsg seeds the root's set of unfinished jobs at start;
	// with all, it replaces it (jobs ended by other processes leave it).
	runningJobsMsg struct {
		seqs []uint64
		all  bool
	}
)
