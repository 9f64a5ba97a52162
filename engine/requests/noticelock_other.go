//go:build !unix

package requests

// lockNotices has no cross-process lock where flock(2) is missing (swtoken
// runs on Linux): a notice queued by two processes at once may be sent
// twice.
func lockNotices(string) (func(), error) { return func() {}, nil }
