package cli

import (
	"errors"
	"fmt"

	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/store"
)

func init() {
	register("verify", command{
		summary: "check a tokencode a user reads out (exit 0 match, 1 not)",
		usage:   "verify SERIAL CODE [--pin PIN]",
		run:     runVerify,
	})
}

// errNoMatch is exit status 1 with a plain message.
var errNoMatch = errors.New("no match")

func runVerify(g Globals, args []string, stdio IO) error {
	fs := newFlags("verify")
	pin := fs.String("pin", "", "the user's PIN, for PINPad-style tokens (folded into the code)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("expected SERIAL and CODE")
	}
	serial, code := pos[0], pos[1]
	if err := checkSerialArg("", serial); err != nil {
		return err
	}
	return withStore(g, readOnly, "verify "+serial, func(st *store.Store) error {
		res, err := jobs.Verify(st, serial, code, *pin, now())
		if err != nil {
			return err
		}
		note := ""
		if res.Assumed {
			note = " (the token was never distributed by swtoken: checked as 8 digits, 60 s)"
		}
		if !res.Match {
			return fmt.Errorf("token %s: %w within ±%d interval of now%s", res.Serial, errNoMatch, jobs.VerifyWindow, note)
		}
		fmt.Fprintf(stdio.Stdout, "token %s: match at offset %s%s\n", res.Serial, jobs.OffsetText(res.Offset), note)
		return nil
	})
}
