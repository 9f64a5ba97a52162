package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestServeRefusesAHostKeyOthersCanRead(t *testing.T) {
	dir := demoDir(t)
	key := filepath.Join(dir, "ssh_host_ed25519_key")
	if err := os.WriteFile(key, []byte("not read\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectFail(t, dir, ExitFailure, "has mode 0644: it must be readable by its owner only (chmod 600 "+key+")",
		"serve", "--listen", "127.0.0.1:0")
}

func TestServeRefusesBadFlags(t *testing.T) {
	dir := dataDir(t)
	expectFail(t, dir, ExitUsage, `--listen "2222" is not HOST:PORT`, "serve", "--listen", "2222")
	expectFail(t, dir, ExitUsage, "--max-sessions 0: give 1 to 10000", "serve", "--max-sessions", "0")
	expectFail(t, dir, ExitUsage, "--idle-timeout 10ms: give 1s to 24h", "serve", "--idle-timeout", "10ms")
	expectFail(t, dir, ExitUsage, `unexpected argument "now"`, "serve", "now")
	if _, err := os.Stat(dir); err == nil {
		t.Error("a refused serve made the data directory")
	}
}

func TestServeRefusesADataDirectoryWithoutAStore(t *testing.T) {
	dir := dataDir(t)
	expectFail(t, dir, ExitFailure, "there is no store in "+dir+" yet", "serve", "--listen", "127.0.0.1:0")
	if _, err := os.Stat(dir); err == nil {
		t.Error("serve made the data directory")
	}
}
