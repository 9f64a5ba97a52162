package ui

import "github.com/swtoken/swtoken/model"

// ApplySettings saves the self-service settings (store.ApplySettings: the
// compare-and-swap, the model's rules, all or nothing, audited) and
// returns what changed, as the audit trail records it, for the settings
// screen to say; empty when nothing changed.
func (b *engineBackend) ApplySettings(next model.Settings) ([]string, error) {
	return b.st.ApplySettings(next)
}
