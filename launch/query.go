package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/gobanyan/banyan"
)

// Report is the status a launcher or launch client sent in answer to
// QueryStatus.
type Report struct {
	Source    string // "launcher", or "launch-client <topic>"
	Host      string // its host name
	PID       int    // its process ID
	Time      time.Time
	Processes []ProcessStatus
}

// wireReport is a Report on the wire (topic banyan_launch_status), a map
// any Banyan component can read.
type wireReport struct {
	ID        string     `msgpack:"id"`
	Source    string     `msgpack:"source"`
	Host      string     `msgpack:"host"`
	PID       int        `msgpack:"pid"`
	Time      float64    `msgpack:"time"`
	Processes []wireProc `msgpack:"processes"`
}

type wireProc struct {
	Name     string  `msgpack:"name"`
	Command  string  `msgpack:"command"`
	Where    string  `msgpack:"where"`
	PID      int     `msgpack:"pid"`
	State    string  `msgpack:"state"`
	Restarts int     `msgpack:"restarts"`
	Started  float64 `msgpack:"started"` // Unix seconds; 0 if never
	Exit     string  `msgpack:"exit"`
	Error    string  `msgpack:"error"`
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func fromUnixSeconds(f float64) time.Time {
	if f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// ErrBadRequest is a status request that is not a map with a string id.
var ErrBadRequest = errors.New("launch: malformed status request")

// answerStatus publishes our table in answer to a status request that a
// accepts; otherwise it returns why it refused it.
func answerStatus(c *banyan.Component, a *authenticator, m *banyan.Message, source string, procs []ProcessStatus) error {
	mm, err := banyan.DecodeMap(m.Payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	id, _ := mm["id"].(string)
	if id == "" {
		return fmt.Errorf("%w: no id", ErrBadRequest)
	}
	if err := a.verifyRequest(m.Topic, mm); err != nil {
		return err
	}
	host, _ := os.Hostname()
	w := wireReport{ID: id, Source: source, Host: host, PID: os.Getpid(), Time: unixSeconds(time.Now())}
	for _, p := range procs {
		w.Processes = append(w.Processes, wireProc{Name: p.Name, Command: p.Command, Where: p.Where, PID: p.PID, State: string(p.State),
			Restarts: p.Restarts, Started: unixSeconds(p.Started), Exit: p.Exit, Error: p.Error})
	}
	c.Publish(statusTopic, w) // fails only when c is closing
	return nil
}

// ErrNoReport is returned by QueryStatus when no launcher or launch client
// answered.
var ErrNoReport = errors.New("launch: no launcher or launch client answered")

// StatusQuery configures QueryStatus.
type StatusQuery struct {
	// Wait is how long to collect answers (default 1 s). Launchers and
	// launch clients do not say how many they are, so QueryStatus waits
	// all of it unless Want answers came first.
	Wait time.Duration
	// Want, when above 0, returns as soon as that many have answered.
	Want int
	// Secret signs the request. Launchers and launch clients that have a
	// secret answer only requests signed with it; those without one answer
	// any request.
	Secret []byte
}

// QueryStatus asks every launcher and launch client on the backplane for
// its status table and returns the answers that arrive within q.Wait (or
// the first q.Want of them), sorted by source. opts say where the
// backplane is.
func QueryStatus(ctx context.Context, q StatusQuery, opts ...banyan.Option) ([]Report, error) {
	if q.Wait <= 0 {
		q.Wait = time.Second
	}
	c, err := banyan.Connect(ctx, append(opts, banyan.WithSubscriptions(statusTopic))...)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	idb := make([]byte, 8)
	rand.Read(idb)
	id := hex.EncodeToString(idb)
	req := map[string]any{"id": id}
	if err := newAuthenticator(Auth{Secret: q.Secret}).sign(kindStatus, statusRequestTopic, req, statusFields); err != nil {
		return nil, err
	}
	if err := c.Publish(statusRequestTopic, req); err != nil {
		return nil, err
	}
	t := time.NewTimer(q.Wait)
	defer t.Stop()
	var out []Report
	done := func() ([]Report, error) {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Source < out[j].Source })
		switch {
		case len(out) > 0:
			return out, nil
		case len(q.Secret) == 0:
			return nil, fmt.Errorf("%w (those that have a secret answer only requests signed with it)", ErrNoReport)
		}
		return nil, ErrNoReport
	}
	for {
		select {
		case m, ok := <-c.Messages():
			if !ok {
				return out, banyan.ErrClosed
			}
			var w wireReport
			if m.Topic != statusTopic || m.Decode(&w) != nil || w.ID != id {
				continue
			}
			r := Report{Source: w.Source, Host: w.Host, PID: w.PID, Time: fromUnixSeconds(w.Time)}
			for _, p := range w.Processes {
				r.Processes = append(r.Processes, ProcessStatus{Name: p.Name, Command: p.Command, Where: p.Where, PID: p.PID,
					State: State(p.State), Restarts: p.Restarts, Started: fromUnixSeconds(p.Started), Exit: p.Exit, Error: p.Error})
			}
			out = append(out, r)
			if q.Want > 0 && len(out) >= q.Want {
				return done()
			}
		case <-t.C:
			return done()
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}
