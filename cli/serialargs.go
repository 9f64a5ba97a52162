package cli

import (
	"strings"

	"github.com/swtoken/swtoken/model"
)

// Serials given on the command line are checked before the store is
// opened: a malformed serial or a reversed range is a usage error (exit 2)
// in every command, while a well-formed serial that no token has is a
// failure of the command (exit 1, "not found").

// checkSerialArg refuses a serial that is not 1-12 digits. label names
// where it came from ("--serial ", "--from ", or "" for a positional
// SERIAL) and starts the message.
func checkSerialArg(label, serial string) error {
	if _, err := model.ParseSerial(serial); err != nil || serial != strings.TrimSpace(serial) {
		return usagef("%s%q is not a serial: a serial is 1-%d digits", label, serial, model.SoftwareSerialLen)
	}
	return nil
}

// checkRangeArgs checks --from and --to, each only when given (set), and
// refuses a reversed range.
func checkRangeArgs(from, to string, fromSet, toSet bool) error {
	if fromSet {
		if err := checkSerialArg("--from ", from); err != nil {
			return err
		}
	}
	if toSet {
		if err := checkSerialArg("--to ", to); err != nil {
			return err
		}
	}
	if fromSet && toSet && model.CompareSerials(from, to) > 0 {
		return usagef("from must not be greater than to (%s > %s): swap --from and --to", from, to)
	}
	return nil
}
