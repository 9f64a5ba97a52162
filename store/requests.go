package store

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/swtoken/swtoken/model"
)

// Self-service requests (product.md section 12): the records, the sealed
// token-file passwords and the per-user index. See schema.go for the
// tree. Every method that changes a request writes its audit record (the
// acting OS user, never the password) in the same transaction.

const requestRecordVersion = 1

// RequestPasswordAAD names the record a request's sealed password belongs
// to: "requestpw:" and the request's decimal number.
func RequestPasswordAAD(seq uint64) []byte {
	return []byte("requestpw:" + strconv.FormatUint(seq, 10))
}

type approvalJSON struct {
	Admin   string    `json:"admin"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment,omitempty"`
	Note    string    `json:"note,omitempty"`
}

type requestEventJSON struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	From    string    `json:"from,omitempty"`
	Action  string    `json:"action"`
	State   string    `json:"state"`
	Comment string    `json:"comment,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// requestJSON is the stored form of requests/<u64 seq>.
type requestJSON struct {
	V            int                `json:"v"`
	User         string             `json:"user"`
	Kind         string             `json:"kind"`
	Replaces     string             `json:"replaces,omitempty"`
	LostOrBroken bool               `json:"lost_or_broken,omitempty"`
	Profile      string             `json:"profile"`
	BindingKind  string             `json:"binding_kind"`
	Binding      string             `json:"binding"`
	Nickname     string             `json:"nickname,omitempty"`
	HasPassword  bool               `json:"has_password,omitempty"`
	Reason       string             `json:"reason,omitempty"`
	Origin       string             `json:"origin"`
	ClientAddr   string             `json:"client_addr,omitempty"`
	State        string             `json:"state"`
	StateReason  string             `json:"state_reason,omitempty"`
	Approvals    []approvalJSON     `json:"approvals,omitempty"`
	Deferrals    []approvalJSON     `json:"deferrals,omitempty"`
	History      []requestEventJSON `json:"history"`
	Created      time.Time          `json:"created"`
	CreatedBy    string             `json:"created_by"`
	Serial       string             `json:"serial,omitempty"`
	Revision     int                `json:"revision"`
}

func encodeRequest(r model.Request) requestJSON {
	j := requestJSON{V: requestRecordVersion, User: r.User, Kind: string(r.Kind), Replaces: r.Replaces,
		LostOrBroken: r.LostOrBroken, Profile: r.Profile, BindingKind: string(r.Binding.Kind), Binding: r.Binding.Value,
		Nickname: r.Nickname, HasPassword: r.HasPassword, Reason: r.Reason, Origin: string(r.Origin),
		ClientAddr: r.ClientAddr, State: string(r.State), StateReason: r.StateReason, Created: r.Created,
		CreatedBy: r.CreatedBy, Serial: r.Serial, Revision: r.Revision}
	for _, a := range r.Approvals {
		j.Approvals = append(j.Approvals, approvalJSON(a))
	}
	for _, a := range r.Deferrals {
		j.Deferrals = append(j.Deferrals, approvalJSON(a))
	}
	for _, e := range r.History {
		j.History = append(j.History, requestEventJSON{At: e.At, Actor: e.Actor, From: e.From, Action: e.Action,
			State: string(e.State), Comment: e.Comment, Note: e.Note})
	}
	return j
}

func decodeRequest(key, data []byte) (model.Request, error) {
	if len(key) != 8 {
		return model.Request{}, fmt.Errorf("request key %x is malformed: the store is damaged", key)
	}
	var j requestJSON
	if err := unmarshalRecord("request", key, data, &j, &j.V, requestRecordVersion); err != nil {
		return model.Request{}, err
	}
	r := model.Request{Seq: btoi(key), User: j.User, Kind: model.RequestKind(j.Kind), Replaces: j.Replaces,
		LostOrBroken: j.LostOrBroken, Profile: j.Profile,
		Binding:  model.Binding{Kind: model.BindingKind(j.BindingKind), Value: j.Binding},
		Nickname: j.Nickname, HasPassword: j.HasPassword, Reason: j.Reason, Origin: model.RequestOrigin(j.Origin),
		ClientAddr: j.ClientAddr, State: model.RequestState(j.State), StateReason: j.StateReason,
		Created: j.Created, CreatedBy: j.CreatedBy, Serial: j.Serial, Revision: j.Revision}
	if !r.State.Valid() || !r.Kind.Valid() {
		return model.Request{}, fmt.Errorf("request %s has state %q and kind %q: the store is damaged", r.ID(), j.State, j.Kind)
	}
	for _, a := range j.Approvals {
		r.Approvals = append(r.Approvals, model.Approval(a))
	}
	for _, a := range j.Deferrals {
		r.Deferrals = append(r.Deferrals, model.Deferral(a))
	}
	for _, e := range j.History {
		r.History = append(r.History, model.RequestEvent{At: e.At, Actor: e.Actor, From: e.From, Action: e.Action,
			State: model.RequestState(e.State), Comment: e.Comment, Note: e.Note})
	}
	return r, nil
}

// requestUserKey is the requests_by_user key of a user's request.
func requestUserKey(user string, seq uint64) []byte {
	k := make([]byte, 0, len(user)+9)
	k = append(k, user...)
	k = append(k, 0)
	return append(k, itob(seq)...)
}

// Request returns the request with this sequence number.
func (t *Tx) Request(seq uint64) (model.Request, error) {
	b := t.tx.Bucket(bucketRequests)
	if b == nil {
		return model.Request{}, fmt.Errorf("request %s: %w", model.RequestID(seq), ErrNotFound)
	}
	v := b.Get(itob(seq))
	if v == nil {
		return model.Request{}, fmt.Errorf("request %s: %w", model.RequestID(seq), ErrNotFound)
	}
	return decodeRequest(itob(seq), v)
}

// userRequests returns every request of a user, oldest first.
func (t *Tx) userRequests(user string) ([]model.Request, error) {
	prefix := append([]byte(user), 0)
	var out []model.Request
	c := t.tx.Bucket(bucketRequestsByUser).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			return nil, fmt.Errorf("requests_by_user key %q is malformed: the store is damaged", k)
		}
		r, err := t.Request(btoi(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// PutRequest writes r (which must exist) as its next revision: the stored
// revision plus one, whatever r.Revision says. It does not audit: the
// caller appends the record that describes the change (the engine's
// fulfilment, for one). The user, kind and profile of a stored request
// never change.
func (t *Tx) PutRequest(r model.Request) error {
	cur, err := t.Request(r.Seq)
	if err != nil {
		return err
	}
	if cur.User != r.User {
		return fmt.Errorf("request %s: its user cannot change", r.ID())
	}
	r.Revision = cur.Revision + 1
	return putJSON(t.tx.Bucket(bucketRequests), itob(r.Seq), encodeRequest(r))
}

// RequestPassword unseals the token-file password of an open request, or
// returns nil when it has none (or it was destroyed). The caller clears
// it after use.
func (t *Tx) RequestPassword(seq uint64) ([]byte, error) {
	b := t.tx.Bucket(bucketRequestsPasswords)
	if b == nil {
		return nil, nil
	}
	v := b.Get(itob(seq))
	if v == nil {
		return nil, nil
	}
	return t.Unseal(v, RequestPasswordAAD(seq))
}

// DestroyRequestSecret removes the request's sealed password. Every
// transaction that ends a request (rejected, canceled, fulfilled, failed)
// calls it, so no password outlives its request.
func (t *Tx) DestroyRequestSecret(seq uint64) error {
	b := t.tx.Bucket(bucketRequestsPasswords)
	if b == nil {
		return nil
	}
	return b.Delete(itob(seq))
}

// requestFacts reads what model.CheckRequest needs about in's user.
func (t *Tx) requestFacts(in model.RequestInput) (model.RequestFacts, error) {
	f := model.RequestFacts{Now: t.s.now(), Actor: t.s.osUser}
	var err error
	if f.Settings, err = t.Settings(); err != nil {
		return f, err
	}
	if f.Profiles, err = t.modelProfiles(); err != nil {
		return f, err
	}
	u, err := t.User(in.User)
	switch {
	case errors.Is(err, ErrNotFound):
		return f, nil
	case err != nil:
		return f, err
	}
	f.User = &u
	for _, k := range t.userTokenKeys(u.ID) {
		tok, ok, err := t.tokenAt(k)
		if err != nil {
			return f, err
		}
		if ok {
			f.Tokens = append(f.Tokens, tok)
		}
	}
	all, err := t.userRequests(u.ID)
	if err != nil {
		return f, err
	}
	for _, r := range all {
		if r.State.Open() {
			f.Open = append(f.Open, r)
		}
	}
	return f, nil
}

// CreateRequest checks in against every creation rule of section 12
// (model.CheckRequest) with the stored settings, profiles, user, tokens
// and open requests, and stores the request, all in one write transaction:
// a refusal (a *model.RequestError naming the rule) changes nothing. The
// password, if any, is sealed under RequestPasswordAAD until the request
// ends. Under the automatic policy the request is stored approved. The
// same transaction records the "received" notice as owed (notices.go).
func (s *Store) CreateRequest(in model.RequestInput) (req model.Request, err error) {
	err = s.Update(func(tx *Tx) error {
		f, err := tx.requestFacts(in)
		if err != nil {
			return err
		}
		r, err := model.CheckRequest(in, f)
		if err != nil {
			return err
		}
		b := tx.tx.Bucket(bucketRequests)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.Seq, r.Revision = seq, 1
		if in.Password != "" {
			sealed, err := tx.Seal([]byte(in.Password), RequestPasswordAAD(seq))
			if err != nil {
				return err
			}
			if err := tx.tx.Bucket(bucketRequestsPasswords).Put(itob(seq), sealed); err != nil {
				return err
			}
		}
		if err := putJSON(b, itob(seq), encodeRequest(r)); err != nil {
			return err
		}
		if err := tx.tx.Bucket(bucketRequestsByUser).Put(requestUserKey(r.User, seq), nil); err != nil {
			return err
		}
		if err := tx.putNotice(seq, NoticeReceived); err != nil {
			return err
		}
		if err := tx.AppendAudit("request create", "request "+r.ID(), requestDetails(r)); err != nil {
			return err
		}
		req = r
		if r.State == model.RequestApproved {
			return tx.AppendAudit("request approve", "request "+r.ID(), "approved automatically (approval policy: automatic)")
		}
		return nil
	})
	if err != nil {
		return model.Request{}, err
	}
	return req, nil
}

// requestDetails describes a new request for the audit trail: no password,
// only whether one was given.
func requestDetails(r model.Request) string {
	parts := []string{"user " + r.User, "kind " + string(r.Kind)}
	if r.Replaces != "" {
		parts = append(parts, "replaces "+r.Replaces)
		if r.LostOrBroken {
			parts = append(parts, "lost or broken")
		}
	}
	parts = append(parts, fmt.Sprintf("profile %q", r.Profile), "binding: "+r.Binding.String())
	if r.Nickname != "" {
		parts = append(parts, fmt.Sprintf("nickname %q", r.Nickname))
	}
	if r.HasPassword {
		parts = append(parts, "password: set")
	} else {
		parts = append(parts, "password: none")
	}
	origin := "origin " + string(r.Origin)
	if r.ClientAddr != "" {
		origin += " (" + r.ClientAddr + ")"
	}
	parts = append(parts, origin, "state "+string(r.State))
	return strings.Join(parts, ", ")
}

// Request returns the request with this ID ("R-12" or "12").
func (s *Store) Request(id string) (r model.Request, err error) {
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return model.Request{}, err
	}
	err = s.View(func(tx *Tx) error {
		r, err = tx.Request(seq)
		return err
	})
	return r, err
}

// RequestFilter selects requests; the zero value selects all.
type RequestFilter struct {
	States []model.RequestState // any of these; none means every state
	User   string               // exactly this user; "" means every user
}

func (f RequestFilter) keep(r model.Request) bool {
	if f.User != "" && r.User != f.User {
		return false
	}
	return f.keepState(r.State)
}

func (f RequestFilter) keepState(s model.RequestState) bool {
	if len(f.States) == 0 {
		return true
	}
	for _, st := range f.States {
		if s == st {
			return true
		}
	}
	return false
}

// peekRequestState reads a stored request's state without decoding it, so
// a read by state (the pending count) decodes only the requests it keeps:
// decoding is most of the cost of reading 100,000 requests
// (BenchmarkRequests100k). json.Marshal writes requestJSON's fields in
// order and no field before "state" has a key containing it; inside a
// string a quote is escaped, so the first `"state":"` is the request's
// own. ok is false for anything unexpected (no such key, an escape, a
// state that is not valid), and the caller then decodes the whole record
// as before, with its errors.
func peekRequestState(data []byte) (model.RequestState, bool) {
	const key = `"state":"`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return "", false
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	st := model.RequestState(rest[:j])
	return st, st.Valid()
}

// Requests returns the requests the filter selects, oldest first.
func (s *Store) Requests(f RequestFilter) (out []model.Request, err error) {
	err = s.View(func(tx *Tx) error {
		out, err = tx.requests(f)
		return err
	})
	return out, err
}

// requests is Requests inside a transaction.
func (t *Tx) requests(f RequestFilter) ([]model.Request, error) {
	var out []model.Request
	if f.User != "" {
		rs, err := t.userRequests(f.User)
		if err != nil {
			return out, err
		}
		for _, r := range rs {
			if f.keep(r) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	b := t.tx.Bucket(bucketRequests)
	if b == nil {
		return out, nil
	}
	if len(f.States) == 0 {
		// Room for every request up front: growing a slice of
		// 100,000 requests copies them again and again.
		out = make([]model.Request, 0, min(b.Sequence(), 1<<20))
	}
	err := b.ForEach(func(k, v []byte) error {
		if len(f.States) > 0 {
			if st, ok := peekRequestState(v); ok && !f.keepState(st) {
				return nil // not selected: not decoded
			}
		}
		r, err := decodeRequest(k, v)
		if err != nil {
			return err
		}
		if f.keep(r) {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// CountRequests counts the requests in a state (the console's pending
// count).
// Home reads it on every store change, so it decodes nothing it can count
// from the stored state text (peekRequestState).
func (s *Store) CountRequests(state model.RequestState) (n int, err error) {
	err = s.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketRequests)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			st, ok := peekRequestState(v)
			if !ok {
				r, err := decodeRequest(k, v)
				if err != nil {
					return err
				}
				st = r.State
			}
			if st == state {
				n++
			}
			return nil
		})
	})
	return n, err
}

// RequestDecision is an approver's decision on one request, as loaded: the
// ID and the revision the admin saw (compare-and-swap), the comment to the
// user and the private note.
type RequestDecision struct {
	ID       string
	Revision int
	Comment  string
	Note     string
}

// changeRequest loads the decision's request, refuses it with a
// *ConflictError when it changed since the admin loaded it, applies fn and
// writes the result with its audit record, all in one transaction. ends
// says the change ends the request: its password is destroyed with it.
func (s *Store) changeRequest(d RequestDecision, action string, fn func(model.Request, *Tx) (model.Request, string, error)) (out model.Request, err error) {
	seq, err := model.ParseRequestID(d.ID)
	if err != nil {
		return model.Request{}, err
	}
	err = s.Update(func(tx *Tx) error {
		cur, err := tx.Request(seq)
		if err != nil {
			return err
		}
		if cur.Revision != d.Revision {
			return tx.requestConflict(cur)
		}
		next, details, err := fn(cur, tx)
		if err != nil {
			return err
		}
		if err := tx.PutRequest(next); err != nil {
			return err
		}
		if !next.State.Open() {
			if err := tx.DestroyRequestSecret(seq); err != nil {
				return err
			}
		}
		if err := tx.AppendAudit(action, "request "+next.ID(), details); err != nil {
			return err
		}
		out, err = tx.Request(seq)
		return err
	})
	if err != nil {
		return model.Request{}, err
	}
	return out, nil
}

// requestConflict refuses a decision on a request that changed since it
// was loaded, naming the newest audit record about it.
func (t *Tx) requestConflict(cur model.Request) error {
	object := "request " + cur.ID()
	e := &ConflictError{What: object, Change: "changed (it is " + string(cur.State) + " now)", Op: "saved"}
	e, err := t.blame(e, object, func(r *AuditRecord) bool { return r.Object == object })
	if err != nil {
		return err
	}
	return e
}

// decisionDetails is the audit detail of a decision: the comment to the
// user is recorded, the private note only as present.
func decisionDetails(head string, d RequestDecision) string {
	parts := []string{head}
	if d.Comment != "" {
		parts = append(parts, fmt.Sprintf("comment %q", d.Comment))
	}
	if d.Note != "" {
		parts = append(parts, "private note: set")
	}
	return strings.Join(parts, ", ")
}

// ApproveRequest records the acting OS user's approval under the stored
// approval policy (model.Approve): the same admin cannot approve twice,
// and the request becomes approved with the last approval the policy
// needs. The returned request says which.
func (s *Store) ApproveRequest(d RequestDecision) (model.Request, error) {
	return s.changeRequest(d, "request approve", func(r model.Request, tx *Tx) (model.Request, string, error) {
		set, err := tx.Settings()
		if err != nil {
			return r, "", err
		}
		policy := set.Policy()
		next, err := model.Approve(r, policy, s.osUser, s.now(), d.Comment, d.Note)
		if err != nil {
			return r, "", err
		}
		head := "approved"
		if next.State == model.RequestPending {
			head = fmt.Sprintf("approval %d of %d", len(next.Approvals), policy.Needed())
		}
		return next, decisionDetails(head, d), nil
	})
}

// RejectRequest ends a pending request with the comment to the user
// (required) and a private note, and records the "rejected" notice as owed
// in the same transaction (notices.go).
func (s *Store) RejectRequest(d RequestDecision) (model.Request, error) {
	return s.changeRequest(d, "request reject", func(r model.Request, tx *Tx) (model.Request, string, error) {
		next, err := model.Reject(r, s.osUser, s.now(), d.Comment, d.Note)
		if err != nil {
			return next, "", err
		}
		return next, decisionDetails("rejected", d), tx.putNotice(r.Seq, NoticeRejected)
	})
}

// DeferRequest records that the acting admin decides later; the request
// stays pending.
func (s *Store) DeferRequest(d RequestDecision) (model.Request, error) {
	return s.changeRequest(d, "request defer", func(r model.Request, _ *Tx) (model.Request, string, error) {
		next, err := model.Defer(r, s.osUser, s.now(), d.Comment, d.Note)
		return next, decisionDetails("deferred", d), err
	})
}

// CancelRequest ends an open request that was not fulfilled; d.Comment is
// the reason, if any.
func (s *Store) CancelRequest(d RequestDecision) (model.Request, error) {
	return s.changeRequest(d, "request cancel", func(r model.Request, _ *Tx) (model.Request, string, error) {
		next, err := model.Cancel(r, s.osUser, s.now(), d.Comment)
		return next, decisionDetails("canceled", d), err
	})
}

// RequestPassword unseals an open request's token-file password (nil when
// it has none); for the fulfilment, which clears it after use.
func (s *Store) RequestPassword(id string) (pw []byte, err error) {
	seq, err := model.ParseRequestID(id)
	if err != nil {
		return nil, err
	}
	err = s.View(func(tx *Tx) error {
		pw, err = tx.RequestPassword(seq)
		return err
	})
	return pw, err
}
