package mail

import (
	"testing"

	"github.com/swtoken/swtoken/engine/mail/mailtest"
)

// The tests send to a real SMTP server (engine/mail/mailtest).
func freePort(t *testing.T) int { t.Helper(); return mailtest.FreePort(t) }

type testServer struct{ *mailtest.Server }

func startServer(t *testing.T, mode, user, pw string) testServer {
	t.Helper()
	return testServer{mailtest.Start(t, mode, user, pw)}
}

func (s testServer) received(t *testing.T) [][]byte { t.Helper(); return s.Received(t) }
