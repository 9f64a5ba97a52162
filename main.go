// Command swtoken is a keyboard-only console, and a headless command line, for
// the admins who provision RSA SecurID-compatible software tokens.
package main

import (
	"os"
	"syscall"

	"github.com/swtoken/swtoken/cli"
	"github.com/swtoken/swtoken/ui"
)

func main() {
	hardenProcess()
	cli.SelfServiceConsole = ui.SelfServiceConsole
	os.Exit(cli.Run(os.Args[1:], cli.IO{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	}, ui.Run))
}

// hardenProcess applies the process-wide secret-handling rules of product.md
// section 5 before anything else runs: Bubble Tea's TEA_TRACE would log every
// message (passwords included), and a core dump would hold seeds in clear.
func hardenProcess() {
	os.Unsetenv("TEA_TRACE")
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{Cur: 0, Max: 0})
}
