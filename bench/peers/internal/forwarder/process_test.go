package forwarder

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestFreePorts(t *testing.T) {
	ports, err := FreePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || seen[p] {
			t.Fatalf("ports %v: want distinct positive ports", ports)
		}
		seen[p] = true
	}
}

func TestExitBeforeListening(t *testing.T) {
	p, err := Start("sh", "-c", "echo broken >&2; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	ports, err := FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	err = p.WaitListening(context.Background(), fmt.Sprintf("127.0.0.1:%d", ports[0]))
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("error %v: want the exit, with its stderr", err)
	}
	if err := p.Stop(); err == nil {
		t.Fatal("Stop of a process that failed by itself: no error")
	}
}

func TestStopListening(t *testing.T) {
	ports, err := FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	// a listener that ignores SIGTERM: Stop must fall back to SIGKILL
	p, err := Start("python3", "-c", fmt.Sprintf(
		"import signal, socket, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"+
			"s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"+
			"s.bind(('127.0.0.1', %d)); s.listen(5)\ntime.sleep(600)\n", ports[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitListening(context.Background(), addr); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d < 4*time.Second {
		t.Fatalf("stopped after %v though it ignores SIGTERM", d)
	}
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("still listening after Stop")
	}
}
