package sshserve

import (
	"sync"
	"time"
)

// Rate limit on failed logins, per source address (the IP, not the port):
// a token bucket of RateBurst failures that refills one failure every
// RateRefill. With the defaults, 10 failures in a row from one address make
// its further attempts fail at once without being checked; one more attempt
// is allowed every 6 s, and the address is forgiven wholly one minute after
// its last failure.
const (
	DefaultRateBurst  = 10
	DefaultRateRefill = 6 * time.Second
)

type limiter struct {
	burst  float64
	refill time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	lastGC  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, refill time.Duration, now func() time.Time) *limiter {
	if burst <= 0 {
		burst = DefaultRateBurst
	}
	if refill <= 0 {
		refill = DefaultRateRefill
	}
	return &limiter{burst: float64(burst), refill: refill, now: now, buckets: map[string]*bucket{}}
}

// level refills b up to now; the caller holds l.mu.
func (l *limiter) level(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens += float64(d) / float64(l.refill)
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
	}
	b.at = now
}

// allow says whether host may try a login now.
func (l *limiter) allow(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[host]
	if !ok {
		return true
	}
	l.level(b, l.now())
	return b.tokens >= 1
}

// fail counts one failure of host.
func (l *limiter) fail(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.gc(now)
	b, ok := l.buckets[host]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[host] = b
	}
	l.level(b, now)
	b.tokens--
	if b.tokens < 0 {
		b.tokens = 0
	}
}

// refund takes back one failure of host (a refused key offered before the
// key that logged in, in the same connection).
func (l *limiter) refund(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[host]; ok {
		l.level(b, l.now())
		b.tokens++
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
	}
}

// gc forgets the addresses whose buckets are full again, at most once a
// minute, so that the map does not grow with every address ever seen.
func (l *limiter) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute {
		return
	}
	l.lastGC = now
	for h, b := range l.buckets {
		l.level(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, h)
		}
	}
}
