package zmtp

import (
	"slices"
	"testing"
	"time"
)

// Peers reports each side's connection with what went through it.
func TestPeers(t *testing.T) {
	before := time.Now()
	pub, sub := pubSubPair(t, quiet(), "b", "a", "c")
	const n = 25
	m := NewTopicMsg("a/x", []byte{0x81, 0xa1, 'k', 1})
	for range n {
		pub.Send(m)
	}
	pub.Send(NewTopicMsg("z", []byte{0xc0})) // matches nothing: not counted for the peer
	recvN(t, sub, n)

	ps := pub.Peers(2)
	if len(ps) != 1 {
		t.Fatalf("Pub.Peers: %d peers, want 1: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.Messages != n || p.Bytes != uint64(n*m.Size()) {
		t.Errorf("Pub peer counted %d messages, %d bytes; want %d, %d", p.Messages, p.Bytes, n, n*m.Size())
	}
	if p.PeerType != "SUB" || p.Version != Version31 || p.Remote == "" || p.Endpoint != "" {
		t.Errorf("Pub peer = %+v", p)
	}
	if p.Since.Before(before) || p.Since.After(time.Now()) {
		t.Errorf("Since %v not between %v and now", p.Since, before)
	}
	if p.Subscriptions != 3 || len(p.Prefixes) != 2 || !slices.IsSorted(p.Prefixes) {
		t.Errorf("subscriptions %d, prefixes %q: want 3, two of them sorted", p.Subscriptions, p.Prefixes)
	}
	if all := pub.Peers(10)[0].Prefixes; !slices.Equal(all, []string{"a", "b", "c"}) {
		t.Errorf("all prefixes = %q", all)
	}
	if none := pub.Peers(0)[0].Prefixes; none != nil {
		t.Errorf("Peers(0) listed %q", none)
	}

	// The SUB side counts what the peer sent.
	var sp []PeerInfo
	waitFor(t, "the SUB's counts", func() bool {
		sp = sub.Peers()
		return len(sp) == 1 && sp[0].Messages == n
	})
	if q := sp[0]; q.PeerType != "PUB" || q.Endpoint == "" || q.Bytes != uint64(n*m.Size()) {
		t.Errorf("Sub peer = %+v", q)
	}
}

// A stalled subscriber's drops and queue show against it.
func TestPeersDrops(t *testing.T) {
	o := quiet()
	o.SendHWM = 5
	pub := stalledSubscriber(t, o)
	big := NewMsg([]byte("t"), make([]byte, 256<<10))
	for range 200 { // 50 MiB: more than any socket buffer takes
		pub.Send(big)
	}
	p := pub.Peers(1)[0]
	if p.Dropped == 0 || p.Queued == 0 || p.Queued > o.SendHWM || p.QueuedBytes == 0 {
		t.Fatalf("stalled peer: %+v", p)
	}
	if p.Messages+p.Dropped != 200 {
		t.Errorf("messages %d + dropped %d != 200 sent", p.Messages, p.Dropped)
	}
	if len(p.Prefixes) != 1 || p.Prefixes[0] != "" {
		t.Errorf("prefixes %q, want [\"\"]", p.Prefixes)
	}
}
