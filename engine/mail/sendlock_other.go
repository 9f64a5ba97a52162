//go:build !unix

package mail

// lockSending has no cross-process lock where flock(2) is missing: one
// process at a time must send (swtoken runs on Linux).
func lockSending(string) (func(), error) { return func() {}, nil }
