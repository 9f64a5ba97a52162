package inventory

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// repeatReader is a header and then line repeated n times, made while it
// is read.
func repeatReader(header, line string, n int) io.Reader {
	rs := []io.Reader{strings.NewReader(header)}
	for range n {
		rs = append(rs, strings.NewReader(line))
	}
	return io.MultiReader(rs...)
}

// TestUsersCSVThatIsNoUsersCSVIsRefusedUnread: a file over
// MaxUsersCSVSize, or with a line (or a quoted field spanning lines) over
// MaxUsersCSVLineBytes, is refused as soon as the limit is passed, naming
// the limit and the line, without being taken into memory.
func TestUsersCSVThatIsNoUsersCSVIsRefusedUnread(t *testing.T) {
	const header = "user_id,first_name,last_name\n"
	long := strings.Repeat("x", MaxUsersCSVLineBytes)
	cases := []struct {
		name string
		in   io.Reader
		line int
		want string
	}{
		{"no line breaks", io.MultiReader(strings.NewReader(header+"jdoe,John,Doe\n"), strings.NewReader(long+"yz")), 3, "the line is longer than 64 KiB"},
		{"a quoted field over many lines", strings.NewReader(header + "jdoe,\"" + strings.Repeat("line\n", MaxUsersCSVLineBytes/5+1) + "\",Doe\n"), 2,
			"the line is longer than 64 KiB"},
		{"larger than 64 MiB", repeatReader(header, "jdoe,"+strings.Repeat("n", 40_000)+",Doe\n", 2000), 0, "the file is larger than 64 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			users, rejs, err := ParseUsersCSV(c.in)
			var ce *CSVError
			if !errors.As(err, &ce) || ce.Line != c.line || !strings.HasPrefix(ce.Msg, c.want) || users != nil || rejs != nil {
				t.Fatalf("%d users, %d rejections, %#v", len(users), len(rejs), err)
			}
		})
	}

	// At the line limit a line is read (and its over-long name rejected).
	atLimit := "jdoe," + strings.Repeat("n", MaxUsersCSVLineBytes-len("jdoe,,Doe")) + ",Doe\n"
	users, rejs, err := ParseUsersCSV(strings.NewReader(header + atLimit + "asmith,Alice,Smith\n"))
	if err != nil || len(users) != 1 || len(rejs) != 1 || rejs[0].Item != "line 2, column first_name" {
		t.Fatalf("%+v, %+v, %v", users, rejs, err)
	}
}
