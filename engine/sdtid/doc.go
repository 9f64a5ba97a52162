// Package sdtid writes, reads and verifies RSA SecurID software-token files
// (SDTID XML) exactly as the open-source client stoken 0.92 does, and
// computes 128-bit AES tokencodes. The byte-level reference is
// docs/sdtid-format.md; section numbers in comments ("2.4") refer to it.
// Only the standard library is used.
//
// # Decisions
//
// stoken is the oracle. Where it is silent ("General failure") we say which
// element is wrong and why, and we aim to accept exactly the files it
// accepts. Known gaps: only UTF-8, US-ASCII and ISO-8859-1 encodings are read
// (libxml2 knows more), and Go's XML parser and libxml2 may disagree on
// exotic XML. Deliberately, Code refuses 64-bit (Alg 0, or Alg absent)
// tokens and serial numbers that are not digits, where stoken prints codes
// that cannot be right.
//
// Read vs ReadSingle. The stoken CLI refuses a file with more than one TKN.
// The key derivation, though, is per TKN (each token's MAC and seed keys come
// from its own SN, the header is shared), so Read returns every TKN, each
// verified on its own, for inspecting RSA batch files. ReadSingle keeps
// stoken's rule and returns KindMultipleTokens; use it wherever the result
// must also open in stoken.
//
// Passwords. An empty password means "no password": the batch Origin is then
// the password, as in stoken (2.2); the empty string itself is never used as
// a key. The reader always tries the Origin first, so a password given for an
// unprotected file is ignored, as stoken ignores it. The writer refuses
// passwords over 32 bytes (only 32 enter the key) and a password equal to the
// Origin (the file would open without it); the reader, like stoken, refuses
// passwords over 40 characters as wrong.
//
// PasswordRequired vs damage. Only the HeaderMAC and TokenMAC check anything,
// and both depend on the password. When both fail, a password-protected
// file, a damaged Secret and two damaged MACs are indistinguishable; the
// reader says KindPasswordRequired (no password given) or KindWrongPassword
// and its message says damage is possible. When exactly one MAC fails the
// file was certainly changed: KindHeaderMACFailed or KindTokenMACFailed.
//
// Framing and limits. Like stoken, the reader looks at the first 65535
// bytes only and starts parsing at the first "<?xml " (case-insensitive,
// followed by a space), so a BOM or leading text is fine and anything past
// 64 KiB is never seen. Nesting depth, element count and MAC input size are
// bounded, so hostile input costs little.
//
// Expiry follows stoken (4.4): codes are refused from Death + 2 days 12:00
// UTC; dates before 2000 "never expire" but, like everything, stop at
// stoken's 32-bit time limit in January 2038.
//
// Writing. Writer produces one TKN per file, byte for byte what stoken
// would write for the same inputs (except the trailer), and signs it with
// the installation's own RSA-1024 key (Signer); stoken ignores the trailer.
// The signature (one RSA private-key operation, ~0.23 ms) is most of the
// cost of a file, so write on all cores. K0, the 1000-round password key,
// depends only on the password, Dest and Name; a KeyCache shares it across
// the files of a job, while every file still gets a fresh Secret and seed.
//
// Secrets. Error messages never contain a password, seed, key or Secret.
// Written returns the plaintext seed and Secret for the caller to seal.
package sdtid
