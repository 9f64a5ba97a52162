package store

// ProcessAlive reports whether a process with this pid exists (on a
// platform that cannot tell, it says yes).
func ProcessAlive(pid int) bool { return processAlive(pid) }
