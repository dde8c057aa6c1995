package launch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
)

func (tb *testBP) clientOptions(topic string, out *testbp.Buffer, logs *testbp.Buffer, auth Auth) ClientOptions {
	return ClientOptions{
		Topic: topic, Backplane: "127.0.0.1", PublisherPort: tb.PublisherPort(), SubscriberPort: tb.SubscriberPort(),
		Process: testProcessOptions(out), Auth: auth, Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
}

func startClient(t *testing.T, o ClientOptions) (*Client, context.CancelFunc, func() error) {
	t.Helper()
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return c.Run(ctx) })
	t.Cleanup(func() { cancel(); wait() })
	select {
	case <-c.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("client not ready")
	}
	return c, cancel, wait
}

// A remote row goes to a launch client on this machine, which runs it and
// acknowledges with its PID; stopping the launcher stops it too.
func TestRemoteLaunch(t *testing.T) {
	tb := startBackplane(t)
	dir := t.TempDir()
	secret := []byte("shared between launcher and client")
	var cout, clog testbp.Buffer
	client, _, waitClient := startClient(t, tb.clientOptions("box1", &cout, &clog, Auth{Secret: secret}))

	var out testbp.Buffer
	o := tb.launcherOptions(&out)
	o.Auth.Secret = secret
	o.Advertise = "127.0.0.1"
	entries := load(t,
		`sh -c 'echo $$ > `+dir+`/remote.pid; exec sleep 300',no,box1,yes,no,0`,
		`sleep 300,no,local,no,no,0`,
	)
	l, err := New(entries, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "the ack", func() bool { return statusOf(l.Status(), "sh").State == StateLaunched })
	// The local row is started after the remote record is sent, so the ack
	// may come first.
	testbp.WaitFor(t, "the local row", func() bool { return statusOf(l.Status(), "sleep").State == StateRunning })
	remotePID := readPID(t, filepath.Join(dir, "remote.pid"))
	st := statusOf(l.Status(), "sh")
	if st.PID != remotePID || st.Where != "box1" {
		t.Errorf("launcher status %+v; the client's process is PID %d", st, remotePID)
	}
	wantCmd := " -b 127.0.0.1 -p " + strconv.Itoa(tb.PublisherPort()) + " -s " + strconv.Itoa(tb.SubscriberPort())
	if !strings.HasSuffix(st.Command, wantCmd) {
		t.Errorf("remote command %q lacks %q (append_bp_address=yes, non-default ports)", st.Command, wantCmd)
	}
	cs := client.Status()
	if len(cs) != 1 || cs[0].PID != remotePID || cs[0].State != StateRunning {
		t.Errorf("client status %+v", cs)
	}
	if s := client.Stats(); s.Launched != 1 || s.Refused != 0 {
		t.Errorf("client stats %+v (records are re-sent until acked; duplicates are fine)", s)
	}
	localPID := statusOf(l.Status(), "sleep").PID

	// QueryStatus hears from both (it returns when both have answered).
	reports, err := QueryStatus(context.Background(), StatusQuery{Wait: 30 * time.Second, Want: 2, Secret: secret}, tb.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, r := range reports {
		sources = append(sources, r.Source)
	}
	sort.Strings(sources)
	if strings.Join(sources, ",") != "launch-client box1,launcher" {
		t.Errorf("status sources %v", sources)
	}

	cancel() // Ctrl-C on the launcher: it sends killall, the client stops too
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if err := waitClient(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{remotePID, localPID} {
		if !gone(pid) {
			t.Errorf("PID %d still exists", pid)
		}
	}
	if !strings.Contains(cout.String(), "stopping everything (killall received)") {
		t.Errorf("client output:\n%s", cout.String())
	}
}

// recordSender publishes hand-made launch records to a client, and waits
// for acks.
type recordSender struct {
	t     *testing.T
	c     *banyan.Component
	topic string
	auth  *authenticator
}

func newRecordSender(t *testing.T, tb *testBP, topic string, secret []byte) *recordSender {
	return &recordSender{t: t, c: tb.Connect(t, banyan.WithSubscriptions(AckTopic(topic))), topic: topic, auth: newAuthenticator(Auth{Secret: secret})}
}

func (s *recordSender) record(id int, command string) map[string]any {
	return newRecord(Entry{Topic: s.topic}, command, id, "session-1")
}

func (s *recordSender) signed(id int, command string) map[string]any {
	m := s.record(id, command)
	if err := s.auth.sign(kindLaunch, s.topic, m, launchFields); err != nil {
		s.t.Fatal(err)
	}
	return m
}

func (s *recordSender) publish(m map[string]any) []byte {
	b, err := banyan.Marshal(m)
	if err != nil {
		s.t.Fatal(err)
	}
	s.publishRaw(b)
	return b
}

func (s *recordSender) publishRaw(b []byte) {
	if err := s.c.PublishRaw(s.topic, b); err != nil {
		s.t.Fatal(err)
	}
}

// ack waits for the ack of launch id.
func (s *recordSender) ack(id int) map[string]any {
	s.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-s.c.Messages():
			mm, err := m.Map()
			if err != nil {
				s.t.Fatal(err)
			}
			if m.Topic == AckTopic(s.topic) && mm["launch_id"] == int64(id) {
				return mm
			}
		case <-timeout:
			s.t.Fatalf("no ack for launch id %d", id)
		}
	}
}

// Forged, altered, unsigned, stale and replayed records are refused and
// logged; their commands never run.
func TestForgedAndReplayedRecordsRefused(t *testing.T) {
	tb := startBackplane(t)
	dir := t.TempDir()
	secret := []byte("the real secret")
	var cout, clog testbp.Buffer
	client, _, _ := startClient(t, tb.clientOptions("box2", &cout, &clog, Auth{Secret: secret}))
	s := newRecordSender(t, tb, "box2", secret)
	touch := func(name string) string { return "touch " + filepath.Join(dir, name) }

	s.publish(s.record(1, touch("unsigned")))

	forger := newRecordSender(t, tb, "box2", []byte("a guessed secret"))
	s.publish(forger.signed(2, touch("forged")))

	altered := s.signed(3, touch("innocent"))
	altered["command_string"] = touch("altered")
	s.publish(altered)

	elsewhere := newRecordSender(t, tb, "box3", secret) // signed for another client's topic
	s.publish(elsewhere.signed(4, touch("other-topic")))

	old := newRecordSender(t, tb, "box2", secret)
	old.auth.now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	s.publish(old.signed(5, touch("stale")))

	valid := s.publish(s.signed(6, touch("valid")))
	if a := s.ack(6); a["process_id"].(int64) <= 0 {
		t.Fatalf("ack %v", a)
	}
	s.publishRaw(valid)                                       // replayed: same nonce
	s.c.Publish(killallTopic, map[string]any{"exit": "exit"}) // unsigned killall

	s.publish(s.signed(7, "true")) // in order after the others: once acked, all were handled
	s.ack(7)

	for _, f := range []string{"unsigned", "forged", "innocent", "altered", "other-topic", "stale"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("refused record's command ran: %s exists", f)
		}
	}
	testbp.WaitFor(t, "the valid command to run", func() bool { _, err := os.Stat(filepath.Join(dir, "valid")); return err == nil })
	st := client.Stats()
	if st.Refused != 7 || st.Launched != 2 || st.Duplicates != 0 {
		t.Errorf("stats %+v, want 7 refused (unsigned, forged, altered, other topic, stale, replayed, killall), 2 launched, 0 duplicates", st)
	}
	logs := clog.String()
	for _, want := range []string{"unsigned", "bad signature", "timestamp outside", "replayed", "refused killall", "command=\"touch " + filepath.Join(dir, "altered")} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// A record re-sent with the same launch id (the launcher re-publishes
// until acked) is not launched twice, but acknowledged again.
func TestDuplicateLaunchIDIgnored(t *testing.T) {
	tb := startBackplane(t)
	secret := []byte("s")
	var cout, clog testbp.Buffer
	client, _, _ := startClient(t, tb.clientOptions("box4", &cout, &clog, Auth{Secret: secret}))
	s := newRecordSender(t, tb, "box4", secret)
	s.publish(s.signed(1, "sleep 300"))
	first := s.ack(1)
	s.publish(s.signed(1, "sleep 300"))
	second := s.ack(1)
	if first["process_id"] != second["process_id"] {
		t.Errorf("acks differ: %v, %v", first, second)
	}
	if st := client.Stats(); st.Launched != 1 || st.Duplicates != 1 {
		t.Errorf("stats %+v", st)
	}
	if n := len(client.Status()); n != 1 {
		t.Errorf("%d processes, want 1", n)
	}
}

// With --insecure-python-compat the client takes Python bls's unsigned
// records, and acknowledges them exactly as Python's blc does.
func TestInsecurePythonCompat(t *testing.T) {
	tb := startBackplane(t)
	var cout, clog testbp.Buffer
	_, _, waitClient := startClient(t, tb.clientOptions("box5", &cout, &clog, Auth{InsecurePythonCompat: true}))
	s := newRecordSender(t, tb, "box5", nil)
	rec := s.record(1, "true")
	delete(rec, KeySession) // exactly Python's ten keys
	s.publish(rec)
	ack := s.ack(1)
	var keys []string
	for k := range ack {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "command_string,launch_id,process_id" || ack["command_string"] != "true" {
		t.Errorf("ack %v: want Python blc's three keys", ack)
	}
	if _, ok := ack["process_id"].(int64); !ok {
		t.Errorf("process_id %T", ack["process_id"])
	}
	s.c.Publish(killallTopic, map[string]any{"exit": "exit"}) // Python's blk
	if err := waitClient(); err != nil {
		t.Fatal(err)
	}
}

// With Stay the client survives killall and takes new records.
func TestClientStay(t *testing.T) {
	tb := startBackplane(t)
	secret := []byte("s")
	var cout, clog testbp.Buffer
	o := tb.clientOptions("box6", &cout, &clog, Auth{Secret: secret})
	o.Stay = true
	client, _, _ := startClient(t, o)
	s := newRecordSender(t, tb, "box6", secret)
	s.publish(s.signed(1, "sleep 300"))
	pid := int(s.ack(1)["process_id"].(int64))
	if err := Killall(context.Background(), secret, tb.Options()...); err != nil {
		t.Fatal(err)
	}
	testbp.WaitFor(t, "the process to stop", func() bool { return gone(pid) })
	// Launch ids start again after killall (a new launcher run).
	s.publish(s.signed(1, "sleep 300"))
	if pid2 := int(s.ack(1)["process_id"].(int64)); pid2 == pid || pid2 <= 0 {
		t.Errorf("second launch PID %d (first %d)", pid2, pid)
	}
	if st := client.Stats(); st.Launched != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestNewClientNeedsSecret(t *testing.T) {
	if _, err := NewClient(ClientOptions{Topic: "x"}); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("got %v", err)
	}
	if _, err := NewClient(ClientOptions{Topic: "local", Auth: Auth{Secret: []byte("s")}}); err == nil {
		t.Fatal("topic local accepted")
	}
}

// With a secret, a launcher and a launch client answer only status
// requests signed with it: their tables hold command lines. Unsigned,
// forged, altered, stale, replayed and malformed requests are refused,
// logged and counted. Without a secret, any request is answered.
func TestStatusRequestsNeedSignature(t *testing.T) {
	tb := startBackplane(t)
	secret := []byte("status secret")
	var cout, clog, iout, ilog testbp.Buffer
	client, _, _ := startClient(t, tb.clientOptions("box7", &cout, &clog, Auth{Secret: secret}))
	insecure, _, _ := startClient(t, tb.clientOptions("box8", &iout, &ilog, Auth{InsecurePythonCompat: true}))

	var lout, llog testbp.Buffer
	o := tb.launcherOptions(&lout)
	o.Auth.Secret = secret
	o.Logger = slog.New(slog.NewTextHandler(&llog, nil))
	l, err := New(load(t, `sleep 300,no,local,no,no,0`), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	defer func() { cancel(); wait() }()
	<-l.Ready()

	asker := tb.Connect(t, banyan.WithSubscriptions(statusTopic))
	signer := newAuthenticator(Auth{Secret: secret})
	signed := func(a *authenticator, id string) map[string]any {
		m := map[string]any{"id": id}
		if err := a.sign(kindStatus, statusRequestTopic, m, statusFields); err != nil {
			t.Fatal(err)
		}
		return m
	}
	publish := func(m map[string]any) []byte {
		b, err := banyan.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := asker.PublishRaw(statusRequestTopic, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	publish(map[string]any{"id": "unsigned"})
	publish(signed(newAuthenticator(Auth{Secret: []byte("a guess")}), "forged"))
	altered := signed(signer, "original")
	altered["id"] = "altered"
	publish(altered)
	old := newAuthenticator(Auth{Secret: secret})
	old.now = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	publish(signed(old, "stale"))
	first := publish(signed(signer, "first"))
	asker.PublishRaw(statusRequestTopic, first) // replayed: same nonce
	asker.PublishRaw(statusRequestTopic, []byte{0x2a})
	publish(signed(signer, "last")) // in order after the others

	// Until the three receivers have answered "last", all the requests
	// before it have been handled.
	answers := map[string][]string{}
	for len(answers["last"]) < 3 {
		m := testbp.Next(t, asker)
		if m.Topic != statusTopic {
			continue // our own requests: the topic is a prefix of theirs
		}
		var w wireReport
		if err := m.Decode(&w); err != nil {
			t.Fatal(err)
		}
		answers[w.ID] = append(answers[w.ID], w.Source)
	}
	for id, sources := range answers {
		sort.Strings(sources)
		// The client without a secret answers anything, as before signing
		// existed: the replay of "first" too.
		want := map[string]string{"first": "launch-client box7,launch-client box8,launch-client box8,launcher",
			"last": "launch-client box7,launch-client box8,launcher"}[id]
		if want == "" {
			want = "launch-client box8"
		}
		if strings.Join(sources, ",") != want {
			t.Errorf("request %q answered by %v, want %s", id, sources, want)
		}
	}
	for _, id := range []string{"unsigned", "forged", "altered", "stale"} {
		if len(answers[id]) == 0 {
			t.Errorf("the client without a secret did not answer %q", id)
		}
	}
	if s := client.Stats(); s.StatusRefused != 6 || s.Refused != 0 {
		t.Errorf("client stats %+v, want 6 status requests refused (unsigned, forged, altered, stale, replayed, malformed)", s)
	}
	if s := l.Stats(); s.StatusRefused != 6 {
		t.Errorf("launcher stats %+v, want 6 status requests refused", s)
	}
	if s := insecure.Stats(); s.StatusRefused != 1 {
		t.Errorf("client without a secret: stats %+v, want 1 refused (malformed)", s)
	}
	for name, logs := range map[string]string{"client": clog.String(), "launcher": llog.String()} {
		for _, want := range []string{"refused status request", "unsigned status request", "bad signature", "timestamp outside", "replayed", "malformed status request"} {
			if !strings.Contains(logs, want) {
				t.Errorf("%s log lacks %q:\n%s", name, want, logs)
			}
		}
	}

	// QueryStatus signs when given the secret, and says why nobody
	// answered when it is not.
	reports, err := QueryStatus(context.Background(), StatusQuery{Wait: 30 * time.Second, Want: 3, Secret: secret}, tb.Options()...)
	if err != nil || len(reports) != 3 {
		t.Fatalf("signed QueryStatus: %d reports, %v", len(reports), err)
	}
	if got := statusOf(reports[2].Processes, "sleep"); reports[2].Source != "launcher" || got.Command != "sleep 300" {
		t.Errorf("launcher's report %+v", reports[2])
	}
}
