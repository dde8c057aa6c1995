package benchmark

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
	"go.uber.org/goleak"
)

// Decoy subscriptions load the index and change nothing delivered; the
// forwarder (this process, where the backplane runs) is measured.
func TestRunDecoysAndForwarderMeter(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) }) // after the backplane's cleanup
	res := runOn(t, RunConfig{Pubs: 1, Subs: 2, Msgs: 3000, Subscriptions: 200, ForwarderPID: os.Getpid()})
	if res.Delivered != 6000 || res.Lost != 0 || res.OutOfOrder != 0 || res.Subscriptions != 200 {
		t.Fatalf("delivered %d of %d, lost %d, out of order %d", res.Delivered, res.Expected, res.Lost, res.OutOfOrder)
	}
	if runtime.GOOS == "linux" && (res.ForwarderCPUPerMsg <= 0 || res.ForwarderPeakRSSMiB <= 1 || res.ClientCPUPerMsg <= 0) {
		t.Fatalf("forwarder CPU %v µs/msg, peak RSS %v MiB, client CPU %v µs/msg", res.ForwarderCPUPerMsg, res.ForwarderPeakRSSMiB, res.ClientCPUPerMsg)
	}
}

// Another component publishing on the run's topics is counted, not
// measured.
func TestRunForeignPublisher(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	other := bp.Connect(t, banyan.WithoutSubscriber())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			other.Publish("bench/0", map[string]int{"seq": i})
			other.PublishRaw("bench/99", []byte{0xc4, 14, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
			time.Sleep(time.Millisecond)
		}
	}()
	res, err := Run(ctx, Banyan(bp.Options()...), RunConfig{Subs: 2, Msgs: 2000, Size: 16})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 4000 || res.Lost != 0 || res.Foreign == 0 {
		t.Fatalf("delivered %d of %d, lost %d, foreign %d", res.Delivered, res.Expected, res.Lost, res.Foreign)
	}
}

// No backplane: the error comes back within the connect timeout.
func TestRunNoBackplane(t *testing.T) {
	port := testbp.FreePort(t)
	start := time.Now()
	_, err := Run(context.Background(), Banyan(banyan.WithBackplane(testbp.Host), banyan.WithPorts(port, port),
		banyan.WithConnectTimeout(300*time.Millisecond)), RunConfig{Msgs: 10})
	if err == nil {
		t.Fatal("no error without a backplane")
	}
	if d := time.Since(start); d > testbp.Patience {
		t.Fatalf("took %v", d)
	}
	t.Log(err)
}

// Through a real libzmq forwarder (pyzmq's zmq.device FORWARDER, as
// Python Banyan's backplane): every message arrives, slow joiner or not.
func TestRunThroughLibzmq(t *testing.T) {
	py := testpeer.Python(t, "zmq")
	ports := testbp.FreePorts(t, 2)
	fwd := testpeer.Start(t, py, "../../bench/pyforwarder.py", strconv.Itoa(ports[0]), strconv.Itoa(ports[1]))
	defer fwd.Kill() // it does not read stdin: Stop would wait 5 s
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	bus := Banyan(banyan.WithBackplane(testbp.Host), banyan.WithPorts(ports[0], ports[1]))
	res, err := Run(ctx, bus, RunConfig{Pubs: 2, Subs: 2, Msgs: 4000, Size: 300, ForwarderPID: fwd.Pid()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != res.Expected || res.Expected != 8000 || res.Lost != 0 {
		t.Fatalf("delivered %d of %d, lost %d", res.Delivered, res.Expected, res.Lost)
	}
	if runtime.GOOS == "linux" && res.ForwarderCPUPerMsg <= 0 {
		t.Fatalf("forwarder CPU %v µs/msg", res.ForwarderCPUPerMsg)
	}
	t.Logf("libzmq: %.0f msg/s, p50 %.0f µs, forwarder %.2f µs/msg, %.1f MiB", res.DeliveredMsgPerSec, res.Latency.P50, res.ForwarderCPUPerMsg, res.ForwarderPeakRSSMiB)
}

// Messages of every size, up to 1 MiB, arrive with exactly their size
// (anything else would be counted as foreign).
func TestRunSizes(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	for _, size := range []int{16, 17, 255, 256, 65535, 65536, 1 << 20} {
		msgs := max(4, min(20, 4<<20/size)) // the race detector is slow on big copies
		res, err := Run(context.Background(), Banyan(bp.Options()...), RunConfig{Msgs: msgs, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		if res.Delivered != uint64(msgs) || res.Foreign != 0 || res.DeliveredBytesPerSec != res.DeliveredMsgPerSec*float64(size) {
			t.Fatalf("size %d: delivered %d of %d, foreign %d", size, res.Delivered, msgs, res.Foreign)
		}
	}
}
