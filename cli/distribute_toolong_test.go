package cli

import (
	"fmt"
	"strings"
	"testing"

	"github.com/swtoken/swtoken/model"
)

// TestDistributeDryRunNamesEveryTooLongToken: when more tokens break the
// password limit than the error names (10), the printed summary lists every
// one of them, one per line, in a dry run and in a refused real run; the
// error stays as it is.
func TestDistributeDryRunNamesEveryTooLongToken(t *testing.T) {
	dir := demoDir(t)
	const password = "pppppppppppppppppppp" // 20: with most user IDs over 24
	pwFile := writeFile(t, "pw", password+"\n")

	// Which tokens the rules make too long, from the inventory itself.
	var want []string
	for _, tok := range decodeJSON[[]tokenJSON](t, mustRun(t, dir, "tokens", "list", "--json")) {
		if tok.Kind != string(model.KindSoftware) || tok.AssignedUser == "" || !tok.Enabled || tok.Expired {
			continue
		}
		alg, err := model.ParseAlgorithm(tok.Algorithm)
		if err != nil {
			t.Fatal(err)
		}
		if model.CheckPasswordLength(model.PasswordUserIDAndAdmin, tok.AssignedUser, password, alg) != nil {
			want = append(want, fmt.Sprintf("  %s  user %s", tok.Serial, tok.AssignedUser))
		}
	}
	if len(want) <= 10 {
		t.Fatalf("only %d tokens too long; the test needs more than the error names (10)", len(want))
	}

	args := []string{"distribute", "--job", "J", "--profile", "Staff iPhone", "--password-mode", "userid+password",
		"--password-file", pwFile, "--all"}
	for _, extra := range [][]string{{"--dry-run"}, {"--yes"}} {
		t.Run(extra[0], func(t *testing.T) {
			code, out, errOut := runCmd(t, dir, "", append(args, extra...)...)
			if code != ExitFailure {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, ExitFailure, out, errOut)
			}
			// The error is unchanged: the first 10, then "and N more".
			if !strings.Contains(errOut, fmt.Sprintf("%d tokens would get a password outside their limit with password mode \"User ID followed by Password\"", len(want))) ||
				!strings.Contains(errOut, fmt.Sprintf("and %d more", len(want)-10)) {
				t.Fatalf("stderr: %s", errOut)
			}
			head := fmt.Sprintf("Password too long:   %d tokens", len(want))
			i := strings.Index(out, head)
			if i < 0 {
				t.Fatalf("no %q section:\n%s", head, out)
			}
			// The section: every too-long token, one per line, in serial
			// order, right after its heading.
			lines := strings.Split(out[i:], "\n")[1:]
			if len(lines) < len(want) {
				t.Fatalf("section has %d lines, want %d:\n%s", len(lines), len(want), out)
			}
			for j, w := range want {
				if lines[j] != w {
					t.Fatalf("section line %d = %q, want %q:\n%s", j+1, lines[j], w, out)
				}
			}
			if strings.HasPrefix(lines[len(want)], "  1") || strings.HasPrefix(lines[len(want)], "  2") {
				t.Fatalf("section lists more than %d tokens:\n%s", len(want), out)
			}
			if strings.Contains(out, password) || strings.Contains(errOut, password) {
				t.Fatal("the admin password was printed")
			}
		})
	}
	// Nothing was submitted.
	if out := mustRun(t, dir, "jobs", "list", "--json"); strings.Contains(out, `"seq"`) {
		t.Fatalf("a job exists after the refusals:\n%s", out)
	}
}
