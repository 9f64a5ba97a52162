// Package crashtest holds the parts of the engine's crash tests that the
// jobs and requests packages share: the test binary re-run as a child that
// works on a store until it is SIGKILLed, and the tokens' sealed seeds to
// compare before and after.
package crashtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Child is the TestMain half of a crash test. When the environment variable
// env names a data directory, the test binary is a crash child: it opens
// the store there, runs run on it and exits, with status 1 after printing
// run's error. Otherwise Child returns.
func Child(env string, run func(ctx context.Context, st *store.Store) error) {
	dir := os.Getenv(env)
	if dir == "" {
		return
	}
	st, err := store.Open(store.Options{DataDir: dir, LockTimeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	err = run(context.Background(), st)
	st.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Run starts the test binary as a crash child on the data directory dir
// (see Child) and SIGKILLs it after delay unless it exits first. It reports
// whether it killed the child, and the child's error when it exited by
// itself.
func Run(t testing.TB, env, dir string, delay time.Duration) (killed bool, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		return false, err
	case <-time.After(delay):
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return true, nil
	}
}

// SealedSeeds maps every token's serial to its sealed seed.
func SealedSeeds(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := st.EachToken(func(tok model.Token) error {
		out[tok.Serial] = string(tok.SealedSeed)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
