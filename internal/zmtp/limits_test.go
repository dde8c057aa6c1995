package zmtp

import (
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The remote crash of issue 9: greeting, READY, a 10-byte frame with MORE,
// then a long frame whose size is 2^64-12. The size check overflowed and
// the reader sliced with a negative length. Now the message is refused
// (counted at once), its bytes read past, and the socket keeps serving.
func TestHugeFrameSizeAfterMoreFrame(t *testing.T) {
	sizes := []uint64{1 << 63, 1 << 62, math.MaxInt64 - 10, 1 << 32, 1<<32 - 1}
	for k := range uint64(32) { // the sizes that overflowed the old check
		sizes = append(sizes, math.MaxUint64-k)
	}
	for _, size := range sizes {
		t.Run(strconv.FormatUint(size, 10), func(t *testing.T) {
			sub := NewSub(quiet())
			defer sub.Close()
			sub.Subscribe(nil)
			addr, _ := sub.Bind("127.0.0.1:0")
			bad := dialRaw(t, addr, "PUB", 1)
			good := dialRaw(t, addr, "PUB", 1)
			attack := append([]byte{flagMore, 10}, "0123456789"...)
			attack = append(attack, flagLong)
			attack = binary.BigEndian.AppendUint64(attack, size)
			attack = append(attack, "some bytes of the huge frame"...)
			bad.write(attack)
			waitFor(t, "oversized message refused", func() bool { return sub.Stats().Refused == 1 })
			good.write(NewMsg([]byte("ok"), []byte("1")).Raw())
			if m := recvN(t, sub, 1)[0]; string(m.Topic()) != "ok" {
				t.Fatalf("got %q", m.Topic())
			}
			// The same bytes through the reader directly, for every split.
			fr := testFrameReader(strings.NewReader(string(attack)), DefaultMaxMessageSize)
			if _, _, err := fr.next(); err == nil {
				t.Fatal("accepted a truncated huge frame")
			}
		})
	}
}

// A frame header claiming a huge body reserves nothing before the body's
// bytes arrive: the message's memory grows with what was received.
func TestClaimedSizeReservesNothing(t *testing.T) {
	var hdr []byte
	hdr = append(hdr, flagMore, 1, 't', flagLong)
	hdr = binary.BigEndian.AppendUint64(hdr, 60<<20)
	hdr = append(hdr, make([]byte, 1000)...) // 1000 of the 60 MiB
	pr, pw := net.Pipe()
	defer pr.Close()
	go pw.Write(hdr)
	defer pw.Close()
	fr := testFrameReader(pr, DefaultMaxMessageSize)
	got := make(chan struct{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	go func() {
		defer close(got)
		fr.next()
	}()
	waitFor(t, "message under way", func() bool { return fr.pending.Load() == 1 })
	runtime.ReadMemStats(&after)
	pr.Close()
	<-got
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Fatalf("a 60 MiB claim with 1000 bytes sent allocated %d bytes", grown)
	}
}

// Partially received messages share one Budget: a connection whose message
// would pass it is closed, and others keep working.
func TestPendingBudget(t *testing.T) {
	o := quiet()
	o.Budget = NewBudget(1 << 20)
	sub := NewSub(o)
	defer sub.Close()
	sub.Subscribe(nil)
	addr, _ := sub.Bind("127.0.0.1:0")
	bad := dialRaw(t, addr, "PUB", 1)
	bad.write(append([]byte{flagLong}, binary.BigEndian.AppendUint64(nil, 8<<20)...))
	// Well past 64 KiB + 1 MiB. The SUB closes the connection part way, so
	// the write may fail: that is the point.
	bad.nc.Write(make([]byte, 4<<20))
	for {
		if _, _, err := bad.fr.next(); err != nil {
			break // closed by the SUB
		}
	}
	waitFor(t, "budget error counted", func() bool { return sub.Stats().ProtocolErrors == 1 })
	if used := o.Budget.InUse(); used != 0 {
		t.Fatalf("budget still holds %d bytes after the connection closed", used)
	}
	good := dialRaw(t, addr, "PUB", 1)
	good.write(NewMsg([]byte("ok"), make([]byte, 512<<10)).Raw())
	if m := recvN(t, sub, 1)[0]; string(m.Topic()) != "ok" || len(m.Frame(1)) != 512<<10 {
		t.Fatalf("got %q", m.Topic())
	}
}

// procStatus reads a field of /proc/self/status in KiB.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// 100 connections each claiming a 60 MiB frame and sending nothing more
// keep RSS and VmSize within a small bound (issue 9, defect 3). Before,
// this reserved 6 GB of address space, and a 32-bit build died after 61
// connections. make test runs it in a GOARCH=386 build too.
func TestClaimedFramesMemory(t *testing.T) {
	sub := NewSub(quiet())
	defer sub.Close()
	sub.Subscribe(nil)
	addr, _ := sub.Bind("127.0.0.1:0")
	// Warm up: one full exchange, so the baseline has the runtime's usual
	// footprint for a working socket.
	warm := dialRaw(t, addr, "PUB", 1)
	warm.write(NewMsg([]byte("w"), make([]byte, 100<<10)).Raw())
	recvN(t, sub, 1)
	runtime.GC()
	rss0, vm0 := procStatus(t, "VmRSS"), procStatus(t, "VmSize")
	const conns = 100
	claim := append([]byte{flagMore, 1, 't', flagLong}, binary.BigEndian.AppendUint64(nil, 60<<20)...)
	for range conns {
		p := dialRaw(t, addr, "PUB", 1)
		p.nc.SetDeadline(time.Time{})
		p.write(claim)
	}
	waitFor(t, fmt.Sprintf("%d messages under way", conns), func() bool { return sub.Stats().Pending == conns })
	runtime.GC()
	rss, vm := procStatus(t, "VmRSS")-rss0, procStatus(t, "VmSize")-vm0
	t.Logf("%d connections claiming 60 MiB each: RSS +%d KiB, VmSize +%d KiB (%s)", conns, rss, vm, runtime.GOARCH)
	const bound = 64 << 10 // KiB: 64 MiB, against 6,000 MiB claimed
	if rss > bound || vm > bound {
		t.Fatalf("RSS grew %d KiB and VmSize %d KiB, want both under %d KiB", rss, vm, bound)
	}
}

// Applying one more subscription costs O(len(prefix)), however many the
// peer holds (issue 9, defect 4: each SUBSCRIBE rebuilt every prefix, so
// 10,000 took seconds). Allocations stand in for work: rebuilding 10,000
// prefixes allocates 10,000 times.
func TestSubscribeCostIndependentOfCount(t *testing.T) {
	p := NewPub(quiet())
	defer p.Close()
	pp := &pubPeer{subs: map[string]int{}}
	for i := range 10000 {
		pp.subscribe(p, []byte(fmt.Sprintf("sensor/%05d/", i)), true)
	}
	i := 0
	a := testing.AllocsPerRun(200, func() {
		k := []byte(fmt.Sprintf("extra/%05d/", i))
		i++
		pp.subscribe(p, k, true)
		pp.subscribe(p, k, false)
	})
	if a > 40 {
		t.Fatalf("subscribe+cancel with 10,000 held allocates %.0f times, want O(len(prefix))", a)
	}
	sb := NewSub(quiet())
	defer sb.Close()
	for i := range 10000 {
		sb.Subscribe([]byte(fmt.Sprintf("sensor/%05d/", i)))
	}
	a = testing.AllocsPerRun(200, func() {
		k := []byte(fmt.Sprintf("extra/%05d/", i))
		i++
		sb.Subscribe(k)
		sb.Unsubscribe(k)
	})
	if a > 40 {
		t.Fatalf("Sub.Subscribe+Unsubscribe with 10,000 held allocates %.0f times", a)
	}
	for _, topic := range []string{"sensor/00000/t", "sensor/09999/t", "sensor/05000/x"} {
		if !pp.set.Match([]byte(topic)) || !sb.matches([]byte(topic)) {
			t.Fatalf("%s does not match", topic)
		}
	}
	if pp.set.Match([]byte("extra/00001/")) || sb.matches([]byte("sensor/1")) {
		t.Fatal("cancelled or partial prefix matches")
	}
}

// A peer past MaxSubscriptions or MaxSubscriptionBytes has the rest
// ignored and counted; what it holds keeps working.
func TestSubscriptionLimits(t *testing.T) {
	o := quiet()
	o.MaxSubscriptions = 100
	o.MaxSubscriptionBytes = 64 << 10
	pub := NewPub(o)
	defer pub.Close()
	addr, _ := pub.Bind("127.0.0.1:0")
	p := dialRaw(t, addr, "SUB", 1)
	if name, _, err := p.command(); err != nil || name != "READY" {
		t.Fatalf("got %q %v, want READY", name, err)
	}
	var subs []byte
	for i := range 150 {
		subs = appendCommand(subs, "SUBSCRIBE", []byte(fmt.Sprintf("t%03d", i)))
	}
	subs = appendCommand(subs, "SUBSCRIBE", make([]byte, 100<<10)) // over the byte bound
	p.write(subs)
	waitFor(t, "refusals counted", func() bool { return pub.Stats().SubscriptionsRefused == 51 })
	pub.SendFrames([]byte("t120"), []byte("refused"))
	pub.SendFrames([]byte("t099"), []byte("held"))
	m, _, err := p.fr.next()
	if err != nil || string(m.Frame(1)) != "held" {
		t.Fatalf("got %q, %v: want only the held subscription's message", m.Frames(), err)
	}
	if pp := (*pub.peers.Load())[0]; pp.set.Len() != 100 {
		t.Fatalf("peer holds %d prefixes, want 100", pp.set.Len())
	}
}

// stalledSubscriber returns a PUB with one subscriber, subscribed to
// everything, that never reads; the PUB is closed when the test ends.
func stalledSubscriber(t *testing.T, o Options) *Pub {
	t.Helper()
	pub := NewPub(o)
	t.Cleanup(func() { pub.Close() })
	addr, _ := pub.Bind("127.0.0.1:0")
	p := dialRaw(t, addr, "SUB", 1) // never reads after this
	p.write(appendCommand(nil, "SUBSCRIBE"))
	waitFor(t, "subscription", func() bool {
		ps := *pub.peers.Load()
		return len(ps) == 1 && ps[0].set.Has("")
	})
	return pub
}

// The byte bound beside the message bound: a stalled peer's queue holds at
// most SendHWMBytes (plus the one message an empty queue always takes).
func TestSendHWMBytes(t *testing.T) {
	o := quiet()
	o.SendHWM = 1 << 20 // messages: not the bound that matters here
	o.SendHWMBytes = 1 << 20
	pub := stalledSubscriber(t, o)
	big := NewMsg([]byte("t"), make([]byte, 100<<10))
	for range 2000 { // 200 MiB offered
		pub.Send(big)
	}
	pp := (*pub.peers.Load())[0]
	pp.mu.Lock()
	held := pp.qBytes
	pp.mu.Unlock()
	if held > o.SendHWMBytes+int64(big.Size()) {
		t.Fatalf("stalled peer holds %d bytes, bound %d", held, o.SendHWMBytes)
	}
	if pub.Stats().Dropped == 0 {
		t.Fatal("nothing dropped")
	}
	// One message larger than the bound still passes to an empty queue.
	o2 := quiet()
	o2.SendHWMBytes = 1 << 10
	pub2, sub2 := pubSubPair(t, o2, "")
	pub2.Send(NewMsg([]byte("big"), make([]byte, 64<<10)))
	if m := recvN(t, sub2, 1)[0]; string(m.Topic()) != "big" {
		t.Fatalf("got %q", m.Topic())
	}
}

// An idle connection holds no large buffers: after a burst, the reader
// gives its 64 KiB buffer back, and the writer holds one only while
// writing.
func TestIdleConnectionBuffers(t *testing.T) {
	pub, sub := pubSubPair(t, quiet(), "")
	for range 200 {
		pub.Send(NewMsg([]byte("t"), make([]byte, 4<<10)))
	}
	recvN(t, sub, 200)
	pub.Send(NewMsg([]byte("quiet"), nil)) // a small read after the burst
	recvN(t, sub, 1)
	for who, s := range map[string]*socket{"pub": &pub.s, "sub": &sub.s} {
		waitFor(t, who+" buffers given back", func() bool { return s.pool.out.Load() == 0 })
	}
}
