package jobs

import "testing"

// TestEntryNameKeepsOnlySafeCharacters: a user ID's letters, digits, @, +,
// - and a dot not in first place are kept; every other character (each
// rune, each invalid byte) becomes one underscore.
func TestEntryNameKeepsOnlySafeCharacters(t *testing.T) {
	for _, c := range []struct{ user, want string }{
		{"jdoe", "jdoe_100000000001.sdtid"},
		{"J.Doe+x@corp-1", "J.Doe+x@corp-1_100000000001.sdtid"},
		{".hidden", "_hidden_100000000001.sdtid"},
		{"../etc/passwd", "_._etc_passwd_100000000001.sdtid"},
		{"a b\\c:d", "a_b_c_d_100000000001.sdtid"},
		{"Jöhn", "J_hn_100000000001.sdtid"},
		{"x\xff\xfey", "x__y_100000000001.sdtid"},
		{"", "_100000000001.sdtid"},
	} {
		if got := EntryName(c.user, "100000000001"); got != c.want {
			t.Errorf("EntryName(%q) = %q, want %q", c.user, got, c.want)
		}
	}
	if got := CTFEntryName("a/b", "7"); got != "a_b_7.ctf.txt" {
		t.Errorf("CTFEntryName = %q", got)
	}
	if got := QREntryName("a/b", "7"); got != "a_b_7.png" {
		t.Errorf("QREntryName = %q", got)
	}
}
