package interop

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// host is where every test backplane, ours or a sister's, listens.
const host = testbp.Host

// A sister is a framework whose peers (testdata/sisters/<name>) the tests
// run: an "echo" server, a "backplane" and a subscribe-all "monitor", each
// taking HOST PUB_PORT SUB_PORT and printing READY when its sockets are up.
type sister struct {
	name string
	// legacy: its msgpack is the old spec (javabanyan's msgpack-java-lite),
	// so Go components that send to it use banyan.MsgpackLegacy.
	legacy bool
	// run starts one of its roles; the Python peer is only a monitor.
	run func(t *testing.T, role string, args ...string) *testpeer.Proc
}

var (
	jsSister = sister{name: "js",
		run: func(t *testing.T, role string, args ...string) *testpeer.Proc {
			t.Helper()
			return testpeer.JS(t).Start(t, role+".js", args...)
		}}
	rubySister = sister{name: "ruby",
		run: func(t *testing.T, role string, args ...string) *testpeer.Proc {
			t.Helper()
			return testpeer.Ruby(t).Start(t, role+".rb", args...)
		}}
	javaSister = sister{name: "java", legacy: true,
		run: func(t *testing.T, role string, args ...string) *testpeer.Proc {
			t.Helper()
			p := testpeer.Java(t)
			classes := javaClasses(t, p)
			main := map[string]string{"echo": "Echo", "backplane": "Backplane", "monitor": "Monitor"}[role]
			return p.Start(t, classes, main, args...)
		}}
	pythonSister = sister{name: "python",
		run: func(t *testing.T, role string, args ...string) *testpeer.Proc {
			t.Helper()
			py := testpeer.Python(t, "zmq", "msgpack")
			return testpeer.Start(t, py, append([]string{filepath.Join(testpeer.SistersDir(), "python", role+".py")}, args...)...)
		}}
)

// sisters are the frameworks with all three roles.
var sisters = []sister{jsSister, rubySister, javaSister}

// start runs the sister's role against (or, for a backplane, bound on)
// host:pub/sub and waits for its READY line.
func (s sister) start(t *testing.T, role string, pub, sub int) *testpeer.Proc {
	t.Helper()
	p := s.run(t, role, host, strconv.Itoa(pub), strconv.Itoa(sub))
	p.Expect("READY")
	return p
}

// backplane starts the sister's backplane on free ports and returns them.
func (s sister) backplane(t *testing.T) (pub, sub int) {
	t.Helper()
	ports := testbp.FreePorts(t, 2)
	s.start(t, "backplane", ports[0], ports[1])
	return ports[0], ports[1]
}

// options reach a backplane at host:pub/sub, quietly, followed by extra.
func options(pub, sub int, extra ...banyan.Option) []banyan.Option {
	return append([]banyan.Option{banyan.WithBackplane(host), banyan.WithPorts(pub, sub),
		banyan.WithLogger(testbp.Quiet())}, extra...)
}
