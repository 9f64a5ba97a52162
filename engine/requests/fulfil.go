// Package requests fulfils approved self-service requests (product.md
// section 12): for each, the next available token is assigned to the user
// with a fresh seed, delivered as an SDTID file or a CTF string with the
// request's binding, nickname and password, all committed in one store
// transaction that also marks the request Fulfilled.
package requests

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/swtoken/swtoken/engine/ctf"
	"github.com/swtoken/swtoken/engine/jobs"
	"github.com/swtoken/swtoken/engine/mail"
	"github.com/swtoken/swtoken/engine/qr"
	"github.com/swtoken/swtoken/engine/sdtid"
	"github.com/swtoken/swtoken/model"
	"github.com/swtoken/swtoken/store"
)

// Options tune Fulfil; the zero value is the production behaviour.
type Options struct {
	// Rand supplies seeds, SDTID secrets and v3 nonces; nil = crypto/rand.
	Rand io.Reader
	// QRImage makes the PNG of a CTF link's QR code; nil = engine/qr.
	QRImage func(link string) ([]byte, error)
	// Signer signs SDTID files; nil = the installation's key (generated
	// and stored on first use, as distribution jobs do).
	Signer *sdtid.Signer
	// Mail makes Runner.Pass mail the fulfilled requests' tokens and send
	// the outbox (Fulfil itself never mails).
	Mail bool
}

// Result says what one Fulfil pass did.
type Result struct {
	Fulfilled []model.Request
	// Failed are the requests that ended Failed, with the reason (their
	// profile is gone or cannot deliver, their user is gone or holds the
	// most tokens, their password cannot protect the delivery).
	Failed []model.Request
	// Waiting counts the approved requests left approved because no token
	// is available: the next pass, after tokens are imported, fulfils them.
	Waiting int
	// Notices, Mailed and Sent are the mail a Runner with Options.Mail
	// did after the pass (MailNotices, MailDeliveries, SendMail).
	Notices NoticeResult
	Mailed  MailResult
	Sent    mail.Result
}

var (
	maxFileDate = time.Date(2038, 1, 18, 0, 0, 0, 0, time.UTC)
	minBirth    = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// signers caches the installation signer per store.
var signers sync.Map // *store.Store -> *sdtid.Signer

func installSigner(st *store.Store) (*sdtid.Signer, error) {
	if s, ok := signers.Load(st); ok {
		return s.(*sdtid.Signer), nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		keyDER, certDER, err := st.SigningKey()
		if err == nil {
			s, err := sdtid.NewSigner(keyDER, certDER)
			clear(keyDER)
			if err != nil {
				return nil, fmt.Errorf("installation signing key: %w", err)
			}
			signers.Store(st, s)
			return s, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s, err := sdtid.GenerateSigner(st.InstallName())
		if err != nil {
			return nil, err
		}
		keyDER = s.KeyDER()
		err = st.SetSigningKey(keyDER, s.CertDER())
		clear(keyDER)
		if errors.Is(err, store.ErrSigningKeyExists) {
			continue
		}
		if err != nil {
			return nil, err
		}
		signers.Store(st, s)
		return s, nil
	}
	return nil, errors.New("installation signing key: could not load or create it")
}

// failure is a reason that ends a request Failed.
type failure struct{ reason string }

func (f *failure) Error() string { return f.reason }

func failf(format string, args ...any) error { return &failure{fmt.Sprintf(format, args...)} }

// Fulfil fulfils every approved request, oldest first, until ctx ends. For
// each it picks the next available token (store.TokenAvailable), generates
// its seed and the delivery outside any transaction, and commits with
// store.CommitFulfilment; a token taken meanwhile is replaced by the next
// one, a request no longer approved is skipped. With no token available
// the request stays approved (Result.Waiting). A request that can never be
// fulfilled as it is ends Failed with the reason. A crash or a cancel
// before a commit changes nothing for that request: the next pass fulfils
// it again.
func Fulfil(ctx context.Context, st *store.Store, opts Options) (Result, error) {
	var res Result
	approved, err := st.Requests(store.RequestFilter{States: []model.RequestState{model.RequestApproved}})
	if err != nil || len(approved) == 0 {
		return res, err
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.QRImage == nil {
		opts.QRImage = func(link string) ([]byte, error) { return qr.PNG(link, qr.Options{}) }
	}
	// Candidates in serial order; the commit re-checks each one.
	cands, err := st.AvailableTokens(0)
	if err != nil {
		return res, err
	}
	f := &fulfiller{st: st, opts: opts, origin: st.InstallName()}
	for i, r := range approved {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		done, err := f.one(r, &cands)
		var fl *failure
		switch {
		case errors.As(err, &fl):
			failed, ferr := st.FailRequest(r.Seq, fl.reason)
			if errors.Is(ferr, store.ErrRequestNotApproved) {
				continue
			}
			if ferr != nil {
				return res, ferr
			}
			res.Failed = append(res.Failed, failed)
		case errors.Is(err, errNoToken):
			res.Waiting = len(approved) - i
			return res, nil
		case errors.Is(err, store.ErrRequestNotApproved):
		case err != nil:
			return res, fmt.Errorf("request %s: %w", r.ID(), err)
		default:
			res.Fulfilled = append(res.Fulfilled, done)
		}
	}
	return res, nil
}

var errNoToken = errors.New("no token is available")

type fulfiller struct {
	st     *store.Store
	opts   Options
	origin string
	signer *sdtid.Signer
}

// one fulfils r with the first candidate that is still available,
// consuming candidates as it goes.
func (f *fulfiller) one(r model.Request, cands *[]string) (model.Request, error) {
	prof, err := f.st.Profile(r.Profile)
	if errors.Is(err, store.ErrNotFound) {
		return r, failf("its profile %q no longer exists", r.Profile)
	}
	if err != nil {
		return r, err
	}
	p := prof.Profile
	if p.DeliveryMethod != model.DeliveryFile && p.DeliveryMethod != model.DeliveryCTF {
		return r, failf("its profile %q delivers by %s, which swtoken cannot deliver yet", p.Name, p.DeliveryMethod)
	}
	u, err := f.st.User(r.User)
	if errors.Is(err, store.ErrNotFound) {
		return r, failf("its user %q no longer exists", r.User)
	}
	if err != nil {
		return r, err
	}
	pw, err := f.st.RequestPassword(r.ID())
	if err != nil {
		return r, err
	}
	defer clear(pw)
	if r.HasPassword && pw == nil {
		return r, failf("its token-file password is missing from the store")
	}
	if p.DeliveryMethod == model.DeliveryFile && f.signer == nil {
		if f.opts.Signer != nil {
			f.signer = f.opts.Signer
		} else if f.signer, err = installSigner(f.st); err != nil {
			return r, err
		}
	}
	for len(*cands) > 0 {
		serial := (*cands)[0]
		tok, err := f.st.Token(serial)
		if err != nil {
			*cands = (*cands)[1:]
			continue
		}
		c, err := f.deliver(r, p, u, tok, string(pw))
		if err != nil {
			return r, err
		}
		done, err := f.st.CommitFulfilment(c)
		clear(c.Delivery.Data)
		switch {
		case errors.Is(err, store.ErrTokenUnavailable):
			*cands = (*cands)[1:]
			continue
		case err != nil && model.RuleOf(err) == "" && isAssignRefusal(err):
			return r, failf("%v", err)
		case err != nil:
			return r, err
		}
		*cands = (*cands)[1:]
		return done, nil
	}
	return r, errNoToken
}

// isAssignRefusal reports the assignment rule's refusal (the user holds
// the most tokens): a *model.FieldError from model.CheckAssign.
func isAssignRefusal(err error) bool {
	var fe *model.FieldError
	return errors.As(err, &fe)
}

// deliver generates the token's fresh seed and encodes the delivery.
func (f *fulfiller) deliver(r model.Request, p model.Profile, u model.User, tok model.Token, password string) (store.FulfilCommit, error) {
	fs := p.FileSettings()
	death := model.Date(tok.Death)
	if death.IsZero() || death.After(maxFileDate) {
		death = maxFileDate
	}
	birth := model.Date(tok.Birth)
	if !birth.IsZero() && birth.Before(minBirth) {
		birth = minBirth
	}
	var seed [16]byte
	defer clear(seed[:])
	c := store.FulfilCommit{Seq: r.Seq, Serial: tok.Serial, File: fs}
	if p.DeliveryMethod == model.DeliveryFile {
		var secret [16]byte
		defer clear(secret[:])
		if _, err := io.ReadFull(f.opts.Rand, secret[:]); err != nil {
			return c, err
		}
		if _, err := io.ReadFull(f.opts.Rand, seed[:]); err != nil {
			return c, err
		}
		w := sdtid.Writer{Signer: f.signer, Rand: f.opts.Rand}
		out, err := w.Write(sdtid.WriteInput{
			Batch: sdtid.Batch{
				Origin: f.origin, Name: r.ID(),
				FirstToken: tok.Serial, LastToken: tok.Serial, NumTokens: 1,
				Birth: birth, Death: death,
				Digits: fs.Digits, IntervalSeconds: fs.IntervalSeconds, AddPIN: fs.AddPIN,
			},
			Token: sdtid.TokenSpec{
				Serial: tok.Serial, FirstName: u.FirstName, LastName: u.LastName, Login: u.ID,
				DeviceSerialNumber: r.Binding.Value, Nickname: r.Nickname,
			},
			Password: password, Seed: &seed, Secret: &secret,
		})
		if err != nil {
			var se *sdtid.Error
			if errors.As(err, &se) {
				return c, failf("its token file cannot be written: %v", err)
			}
			return c, err
		}
		defer clear(out.Seed[:])
		defer clear(out.Secret[:])
		if c.SealedSeed, err = f.st.SealSeed(tok.Serial, out.Seed[:]); err != nil {
			return c, err
		}
		c.Delivery = store.Delivery{Kind: store.DeliverySDTID, Serial: tok.Serial,
			FileName: jobs.EntryName(u.ID, tok.Serial), Data: out.Data}
		return c, nil
	}
	// CTF: v2 (stoken and every app read it); the shape follows the device
	// type, and link shapes get a QR image.
	if _, err := io.ReadFull(f.opts.Rand, seed[:]); err != nil {
		return c, err
	}
	shape := model.CTFShapeFor(p.DeviceType)
	ct := ctf.Token{Serial: tok.Serial, Digits: fs.Digits, Interval: fs.IntervalSeconds,
		Death: death, Alg128: true, TimeDerived: true, Seed: seed}
	defer clear(ct.Seed[:])
	if fs.AddPIN {
		ct.PINMode = ctf.PINAdd
	}
	str, err := ctf.Encode(ct, ctf.Options{Version: 2, Form: jobs.CTFForm(shape), Password: password,
		DeviceID: r.Binding.Value, Rand: f.opts.Rand})
	if err != nil {
		return c, failf("its CTF string cannot be written: %v", err)
	}
	d := store.Delivery{Kind: store.DeliveryCTF, Serial: tok.Serial, FileName: jobs.CTFEntryName(u.ID, tok.Serial), CTF: str}
	if shape == model.CTFShapeIPhone || shape == model.CTFShapeAndroid {
		d.QRName = jobs.QREntryName(u.ID, tok.Serial)
		if d.QRPNG, err = f.opts.QRImage(str); err != nil {
			return c, fmt.Errorf("the QR image: %w", err)
		}
	}
	d.Data = []byte(jobs.CTFText(str, model.CTFv2, shape, d.QRName))
	c.Delivery = d
	if c.SealedSeed, err = f.st.SealSeed(tok.Serial, seed[:]); err != nil {
		return c, err
	}
	return c, nil
}
