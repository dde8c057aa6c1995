package tcp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/bridge/tcp"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// TestPythonDevice runs tgw's demo shape against a CPython device that
// frames as tgw's MicroPython echo script does: a station publishes
// {'Led_0': n} on figura, the device decodes it with Python's msgpack and
// answers {'from pico_data': n}, which the station receives on from_pico.
func TestPythonDevice(t *testing.T) {
	py := testpeer.Python(t, "msgpack")
	peer := testpeer.Start(t, py, "testdata/pico_device.py")
	port := strings.TrimPrefix(peer.Expect("PORT "), "PORT ")

	bp := startBackplane(t)
	st := station(t, bp, "from_pico")
	b := startBridge(t, tgwOptions(bp, "127.0.0.1:"+port))
	testbp.WaitFor(t, "the device connection", func() bool { return b.Stats().Devices == 1 })

	for n := 1; n <= 3; n++ {
		if err := st.Publish("figura", map[string]any{"Led_0": n}); err != nil {
			t.Fatal(err)
		}
		if got, want := peer.Expect("GOT "), fmt.Sprintf(`GOT {"Led_0": %d}`, n); got != want {
			t.Fatalf("device printed %q, want %q", got, want)
		}
		m := testbp.Next(t, st)
		v, err := m.Map()
		if err != nil {
			t.Fatal(err)
		}
		if m.Topic != "from_pico" || fmt.Sprint(v["from pico_data"]) != fmt.Sprint(n) {
			t.Fatalf("station got %q %v", m.Topic, v)
		}
	}

	// A payload too big for one length byte never reaches the device; the
	// next one does.
	st.Publish("figura", map[string]any{"big": strings.Repeat("x", 300)})
	st.Publish("figura", map[string]any{"Led_0": 4})
	if got := peer.Expect("GOT "); got != `GOT {"Led_0": 4}` {
		t.Fatalf("device printed %q", got)
	}
	waitStats(t, b, func(s tcp.Stats) bool { return s.Refused == 1 && s.ToDevice == 4 && s.FromDevice == 4 })
}
