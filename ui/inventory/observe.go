package inventory

import "github.com/swtoken/swtoken/ui/nav"

// ObservedTokens is what a test or benchmark that drives the whole
// console reads of the Tokens screen; the console itself never uses it.
type ObservedTokens struct {
	// Loaded is true once the tokens were read; Listed is how many the
	// list holds (after the quick filter and the search).
	Loaded bool
	Listed int
}

// ObserveTokens reads s when it is the Tokens screen.
func ObserveTokens(s nav.Screen) (ObservedTokens, bool) {
	ts, ok := s.(*tokensScreen)
	if !ok {
		return ObservedTokens{}, false
	}
	return ObservedTokens{Loaded: ts.loaded, Listed: ts.list.Len()}, true
}
