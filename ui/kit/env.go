// Package kit holds the console's shared parts: the theme, the key map,
// the text field, the list helpers, the live reload pacing and the text
// helpers every feature's screens use. It knows no backend.
package kit

import (
	"time"
)

// Env is what every screen shares (the backend is given separately, as
// the narrow interface each feature declares).
type Env struct {
	Theme *Theme
	Keys  *KeyMap
	// Now is the clock; tests fix it so that views are stable.
	Now func() time.Time
	// Host and User name this server in the scp hint after a download.
	Host, User string

	// Debounce is the wizard's preview debounce and the lists' search
	// debounce switch (0 in tests that drive Update by hand).
	Debounce time.Duration
	// StatusTTL is how long a passing status message stays (0: forever).
	StatusTTL time.Duration
	// PollEvery is the change counter's poll (0: tests poll by hand).
	PollEvery time.Duration
}
