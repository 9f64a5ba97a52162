// Command serveload measures `swtoken serve` the way product.md section 14
// states its targets: many concurrent sessions on the loopback, the time
// each takes to reach its first frame, the server's memory per session,
// and what a burst of failed logins from one address meets.
//
//	serveload keys -n N -dir DIR
//	    makes N ed25519 keys DIR/key-I (0600) and prints "I AUTHORIZED_LINE"
//	    per key, for the script to register with `swtoken users keys add`.
//	serveload sessions -addr A -hostkey FILE -dir DIR -users u1,u2,... [-pid PID]
//	    opens one session per user at once (user I logs in with DIR/key-I),
//	    each with a PTY of 80x24, and waits for its first frame: the first
//	    output that holds the user's ID (the console's header names the
//	    user). It prints the first-frame times (p50, p99, max), and with
//	    -pid the server's resident memory before the sessions and while
//	    all of them are open, per session.
//	serveload port
//	    prints a free TCP port on the loopback, for the server to listen on.
//	serveload fails -addr A -hostkey FILE -user U -n N
//	    N logins with a key nobody registered, one after another from this
//	    address, and how long each took to be refused.
//
// The host key is pinned from the server's key file, never ignored.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: serveload keys|sessions|fails|port [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "keys":
		err = keys(os.Args[2:])
	case "sessions":
		err = sessions(os.Args[2:])
	case "fails":
		err = fails(os.Args[2:])
	case "port":
		err = freePort()
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "serveload:", err)
		os.Exit(1)
	}
}

func keys(args []string) error {
	fs := flag.NewFlagSet("keys", flag.ExitOnError)
	n := fs.Int("n", 50, "how many keys")
	dir := fs.String("dir", "", "where to write them")
	fs.Parse(args)
	if *dir == "" {
		return errors.New("keys: -dir is required")
	}
	for i := 1; i <= *n; i++ {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		block, err := ssh.MarshalPrivateKey(priv, "serveload")
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := pem.Encode(&buf, block); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, "key-"+strconv.Itoa(i)), buf.Bytes(), 0o600); err != nil {
			return err
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			return err
		}
		fmt.Printf("%d %s", i, ssh.MarshalAuthorizedKey(sp))
	}
	return nil
}

// hostKeyCallback pins the server's public key, read from its private
// key file (the benchmark runs beside the server's data directory).
func hostKeyCallback(file string) (ssh.HostKeyCallback, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ssh.FixedHostKey(signer.PublicKey()), nil
}

func signerFrom(file string) (ssh.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ssh.ParsePrivateKey(data)
}

// firstFrame logs one user in, opens a PTY session with the console and
// reports the time from the dial to the first output naming the user;
// the session stays open until release is closed.
func firstFrame(addr string, hk ssh.HostKeyCallback, user string, signer ssh.Signer, reached func(time.Duration), release <-chan struct{}) error {
	start := time.Now()
	client, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: hk,
		Timeout:         30 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", user, err)
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return err
	}
	defer sess.Close()
	out, err := sess.StdoutPipe()
	if err != nil {
		return err
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, ssh.TerminalModes{ssh.ECHO: 0}); err != nil {
		return err
	}
	if err := sess.Shell(); err != nil {
		return err
	}
	found := make(chan error, 1)
	go func() {
		var seen []byte
		buf := make([]byte, 32<<10)
		reported := false
		for {
			n, err := out.Read(buf)
			if !reported {
				seen = append(seen, buf[:n]...)
				if bytes.Contains(seen, []byte(user)) {
					reported = true
					found <- nil
				}
			}
			if err != nil {
				if !reported {
					found <- fmt.Errorf("%s: the session ended before its first frame: %v", user, err)
				}
				return
			}
		}
	}()
	select {
	case err := <-found:
		if err != nil {
			return err
		}
	case <-time.After(30 * time.Second):
		return fmt.Errorf("%s: no first frame in 30 s", user)
	}
	reached(time.Since(start))
	<-release
	return nil
}

func sessions(args []string) error {
	fs := flag.NewFlagSet("sessions", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:2222", "server address")
	hostKey := fs.String("hostkey", "", "the server's host key file")
	dir := fs.String("dir", "", "the keys' directory")
	users := fs.String("users", "", "comma-separated user IDs; user I logs in with DIR/key-I")
	pid := fs.Int("pid", 0, "the server's process ID, for its memory")
	hold := fs.Duration("hold", 2*time.Second, "how long all sessions stay open before memory is read")
	fs.Parse(args)
	hk, err := hostKeyCallback(*hostKey)
	if err != nil {
		return err
	}
	ids := strings.Split(*users, ",")
	signers := make([]ssh.Signer, len(ids))
	for i := range ids {
		if signers[i], err = signerFrom(filepath.Join(*dir, "key-"+strconv.Itoa(i+1))); err != nil {
			return err
		}
	}
	before := rssKB(*pid)
	release := make(chan struct{})
	times := make([]time.Duration, len(ids))
	errs := make([]error, len(ids))
	// reached counts sessions that have their first frame (or failed);
	// they all stay open until release, so that the memory read below
	// is the server's with every session live.
	var reached, done sync.WaitGroup
	for i, id := range ids {
		reached.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			errs[i] = firstFrame(*addr, hk, id, signers[i], func(d time.Duration) { times[i] = d; reached.Done() }, release)
			if errs[i] != nil {
				reached.Done()
			}
		}()
	}
	reached.Wait()
	time.Sleep(*hold)
	during := rssKB(*pid)
	close(release)
	done.Wait()
	var ok []time.Duration
	for i, err := range errs {
		if err != nil {
			fmt.Fprintln(os.Stderr, "serveload:", err)
			continue
		}
		ok = append(ok, times[i])
	}
	if len(ok) == 0 {
		return errors.New("no session reached its first frame")
	}
	sort.Slice(ok, func(a, b int) bool { return ok[a] < ok[b] })
	fmt.Printf("sessions=%d ok=%d first-frame-ms p50=%.1f p99=%.1f max=%.1f\n", len(ids), len(ok),
		ms(pct(ok, 50)), ms(pct(ok, 99)), ms(ok[len(ok)-1]))
	if *pid != 0 {
		fmt.Printf("server-rss-kb before=%d during=%d per-session-kb=%.0f\n", before, during, float64(during-before)/float64(len(ok)))
	}
	if len(ok) != len(ids) {
		return fmt.Errorf("%d of %d sessions failed", len(ids)-len(ok), len(ids))
	}
	return nil
}

func fails(args []string) error {
	fs := flag.NewFlagSet("fails", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:2222", "server address")
	hostKey := fs.String("hostkey", "", "the server's host key file")
	user := fs.String("user", "", "the user ID to try")
	n := fs.Int("n", 200, "how many failed logins")
	fs.Parse(args)
	hk, err := hostKeyCallback(*hostKey)
	if err != nil {
		return err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	stranger, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return err
	}
	var took []time.Duration
	accepted := 0
	start := time.Now()
	for i := 0; i < *n; i++ {
		t0 := time.Now()
		c, err := ssh.Dial("tcp", *addr, &ssh.ClientConfig{
			User: *user, Auth: []ssh.AuthMethod{ssh.PublicKeys(stranger)},
			HostKeyCallback: hk, Timeout: 30 * time.Second,
		})
		took = append(took, time.Since(t0))
		if err == nil {
			accepted++
			c.Close()
		}
	}
	total := time.Since(start)
	sort.Slice(took, func(a, b int) bool { return took[a] < took[b] })
	fmt.Printf("failed-logins=%d accepted=%d total-s=%.1f refusal-ms p50=%.1f p99=%.1f\n", *n, accepted, total.Seconds(), ms(pct(took, 50)), ms(pct(took, 99)))
	if accepted > 0 {
		return fmt.Errorf("%d logins with an unregistered key were accepted", accepted)
	}
	return nil
}

// freePort prints a TCP port the loopback has free at this moment.
func freePort() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssKB reads a process's resident set size from /proc (0 without a pid).
func rssKB(pid int) int {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return v
		}
	}
	return 0
}
