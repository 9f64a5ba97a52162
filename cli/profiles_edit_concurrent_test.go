//go:build unix

package cli

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/swtoken/swtoken/store"
)

// TestProfilesEditKeepsAnEditMadeMeanwhile: two admins change different
// fields of one profile at the same moment: `swtoken profiles edit
// "Windows desktop" --description D`, and another process that sets the
// tokencode length while that command runs. Both succeed, so the profile
// must end with both changes: an edit sets the fields it was given on the
// profile as stored when the edit is written, and never writes back an
// older copy of the other fields (product.md section 10: nothing is
// overwritten silently). The stress script (scripts/stress.sh) found the
// command writing back the copy it had read in an earlier transaction.
//
// The interleaving is made, not hoped for: a second process (the "other
// admin", a child with the store open) watches the store's lock file,
// and when the command has opened the store it takes a shared lock beside
// the command's read, so that the command cannot write; then it makes its
// own edit and lets go. A command that reads and writes in one transaction
// has written before it can be caught, and the other admin edits after
// it. Catching depends on the scheduler, so there are up to eight rounds,
// until two were caught.
func TestProfilesEditKeepsAnEditMadeMeanwhile(t *testing.T) {
	dir := demoDir(t)
	rev := profileNamed(t, dir, "Windows desktop").Revision
	caught := 0
	for round := 1; round <= 8 && caught < 2; round++ {
		desc, length := fmt.Sprintf("Edited meanwhile (%d)", round), 8-2*(round%2) // 6, 8, 6, ...
		said := profilesEditRace(t, dir, desc, length)
		if strings.HasPrefix(said, "held the store") {
			caught++
		}
		got := profileNamed(t, dir, "Windows desktop")
		rev += 2
		if got.Description != desc || got.TokencodeLength != length || got.Revision != rev {
			t.Fatalf("round %d: after two edits of different fields (the other admin %s), the profile has description %q, length %d, revision %d; want %q, %d, %d: an edit was lost",
				round, said, got.Description, got.TokencodeLength, got.Revision, desc, length, rev)
		}
		t.Logf("round %d: the other admin %s", round, said)
	}
}

// profilesEditRace runs `profiles edit "Windows desktop" --description
// desc` beside the other admin (TestProfilesEditOtherAdmin), who sets the
// length, and returns what the other admin said it did.
func profilesEditRace(t *testing.T, dir, desc string, length int) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := exec.Command(exe, "-test.run=^TestProfilesEditOtherAdmin$", "-test.count=1")
	other.Env = append(os.Environ(), otherAdminEnv+"="+dir, otherLengthEnv+"="+strconv.Itoa(length))
	other.Stderr = os.Stderr
	toOther, err := other.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	fromOther, err := other.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { other.Process.Kill(); other.Wait() }()
	lines := bufio.NewScanner(fromOther)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("the other admin did not start: %q", lines.Text())
	}

	cmd := childCmd(t, "run", "--data-dir", dir, "--lock-wait", "20s",
		"profiles", "edit", "Windows desktop", "--description", desc)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(toOther, "%d\n", cmd.Process.Pid)
	err = cmd.Wait()
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	fmt.Fprintln(toOther, "done")
	if !lines.Scan() {
		t.Fatal("the other admin ended without a word")
	}
	said := lines.Text()
	if err := other.Wait(); err != nil {
		t.Fatalf("the other admin: %v (%s)", err, said)
	}
	if code := cmd.ProcessState.ExitCode(); code != ExitOK {
		t.Fatalf("profiles edit: exit %d\nstdout %s\nstderr %s", code, out.String(), errOut.String())
	}
	return said
}

func profileNamed(t *testing.T, dir, name string) profileJSON {
	t.Helper()
	for _, p := range decodeJSON[[]profileJSON](t, mustRun(t, dir, "profiles", "list", "--json")) {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no profile %q", name)
	return profileJSON{}
}

const (
	otherAdminEnv  = "SWTOKEN_CLI_TEST_OTHER_ADMIN"  // the data directory
	otherLengthEnv = "SWTOKEN_CLI_TEST_OTHER_LENGTH" // the length it sets
)

// TestProfilesEditOtherAdmin is not a test: it is the other admin of
// TestProfilesEditKeepsAnEditMadeMeanwhile, run as a child process, and
// returns at once in a normal test run. It sets the tokencode length of
// "Windows desktop" and prints when it did.
func TestProfilesEditOtherAdmin(t *testing.T) {
	dir := os.Getenv(otherAdminEnv)
	if dir == "" {
		return
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "other admin: "+format+"\n", args...)
		os.Exit(1)
	}
	st, err := store.Open(store.Options{DataDir: dir, Activity: "test: the other admin", LockTimeout: 20 * time.Second})
	if err != nil {
		fail("%v", err)
	}
	// A descriptor of our own on the lock file. POSIX locks belong to the
	// process: the store's release of its lock (after the edit below)
	// drops the one taken here too, which lets the command go on.
	lf, err := os.OpenFile(filepath.Join(dir, store.LockFileName), os.O_RDWR, 0)
	if err != nil {
		fail("%v", err)
	}
	// The profile and the change counter before the command starts.
	// (Reading through the store once the command is caught would let it
	// go: the store's release of the read drops this process's locks.)
	rec, err := st.Profile("Windows desktop")
	if err != nil {
		fail("%v", err)
	}
	before, err := st.ChangeCounter()
	if err != nil {
		fail("%v", err)
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		fail("no pid")
	}
	pid, err := strconv.Atoi(in.Text())
	if err != nil {
		fail("pid %q", in.Text())
	}
	done := make(chan struct{})
	go func() {
		in.Scan() // "done": the command has ended
		close(done)
	}()
	getlk := func() syscall.Flock_t {
		lk := syscall.Flock_t{Type: syscall.F_WRLCK}
		if err := syscall.FcntlFlock(lf.Fd(), syscall.F_GETLK, &lk); err != nil {
			fail("F_GETLK: %v", err)
		}
		return lk
	}

	// Catch the command: once it holds the store (its open, exclusive),
	// ask for a shared lock and wait: the kernel grants it when the open
	// lets go. The command's read (shared) then goes on beside ours; its
	// write must wait for us.
	caught := false
	for !caught {
		select {
		case <-done:
		default:
			if lk := getlk(); lk.Type != syscall.F_UNLCK && int(lk.Pid) == pid {
				rd := syscall.Flock_t{Type: syscall.F_RDLCK}
				if err := syscall.FcntlFlock(lf.Fd(), syscall.F_SETLKW, &rd); err != nil {
					fail("F_SETLKW: %v", err)
				}
				caught = true
			}
			continue
		}
		break
	}
	said := "edited after the command (it was never caught)"
	if caught {
		// Give the command time to read (a millisecond), and stop waiting
		// once its read was seen to end.
		seen := false
		for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Microsecond) {
			lk := getlk()
			reading := lk.Type == syscall.F_RDLCK && int(lk.Pid) == pid
			if seen && !reading {
				break
			}
			seen = seen || reading
		}
		// Did the command write before we caught it? (Then there is no
		// race to make: edit after it.) The counter, read with bbolt
		// directly so that our lock stays.
		if changeCounterRaw(dir) == before {
			said = "held the store from the command's open on, edited while the command waited to write"
		} else {
			caught = false
			said = "edited after the command (it had written before it was caught)"
			<-done
		}
	} else {
		<-done
	}
	if !caught {
		if rec, err = st.Profile("Windows desktop"); err != nil {
			fail("%v", err)
		}
	}
	p := rec.Profile
	if p.TokencodeLength, err = strconv.Atoi(os.Getenv(otherLengthEnv)); err != nil {
		fail("%v", err)
	}
	if _, err := st.EditProfile(rec, p); err != nil {
		fail("%v", err)
	}
	st.Close()
	fmt.Println(said)
	os.Exit(0)
}

// changeCounterRaw reads meta/change_counter with bbolt directly (a shared
// bbolt lock, not the store's).
func changeCounterRaw(dir string) uint64 {
	db, err := bolt.Open(filepath.Join(dir, store.DBFileName), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	var n uint64
	db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("change_counter")); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return n
}
