// Package testpeer finds the real peers that interop tests run against:
// Debian's python3 with pyzmq, msgpack and numpy; mosquitto; and the sister
// frameworks' libraries: node with npm's zeromq and msgpack-lite (JS),
// ruby with ffi-rzmq and msgpack (Ruby), java, javac and JeroMQ (Java).
//
// A test that needs a peer calls Python, Command, JS, Ruby or Java. When the
// peer is missing the test is skipped with a message naming what to install
// (`make peers`, which `make test` runs), unless the environment
// variable BANYAN_REQUIRE_PEERS is "1", in which case the test fails: CI sets it
// so that a missing peer can never pass silently.
package testpeer

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// DebianPython is the interpreter whose dist-packages hold Debian's
// python3-zmq, python3-msgpack and python3-numpy.
const DebianPython = "/usr/bin/python3"

// Required reports whether missing peers must fail tests instead of skipping them.
func Required() bool { return os.Getenv("BANYAN_REQUIRE_PEERS") == "1" }

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf("required test peer missing (run `make peers` to install it): "+format, args...)
	}
	t.Skipf("test peer missing (run `make peers`, part of `make test`, to install it): "+format, args...)
}

// Python returns the path of Debian's python3 after checking that it can
// import every named module.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	if _, err := os.Stat(DebianPython); err != nil {
		missing(t, "%s: %v", DebianPython, err)
	}
	if len(modules) > 0 {
		code := "import " + strings.Join(modules, ", ")
		if out, err := exec.Command(DebianPython, "-c", code).CombinedOutput(); err != nil {
			missing(t, "%s cannot %q: %v: %s", DebianPython, code, err, strings.TrimSpace(string(out)))
		}
	}
	return DebianPython
}

// Command returns the path of an executable on PATH (for example
// "mosquitto"), or skips/fails the test when it is absent.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s: %v", name, err)
	}
	return p
}
