package testpeer

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// EnvNPMPeers names the environment variable that overrides the directory
// `make peers` installs js-banyan's npm libraries into (NPMDir).
const EnvNPMPeers = "BANYAN_NPM_PEERS"

// NPMStamp is the file, in NPMDir, that `make peers` writes after a
// successful `npm ci`: a copy of the lock file it installed.
const NPMStamp = ".gobanyan-lock.json"

// JeroMQJar is where Debian's libjeromq-java puts JeroMQ.
const JeroMQJar = "/usr/share/java/jeromq.jar"

// NPMDir is the directory whose node_modules holds js-banyan's libraries:
// $BANYAN_NPM_PEERS, else gobanyan/npm in the user's cache directory
// ($XDG_CACHE_HOME, else ~/.cache), as the Makefile computes it.
func NPMDir() string {
	if d := os.Getenv(EnvNPMPeers); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "gobanyan", "npm")
}

// SistersDir is testdata/sisters at the module root (the nearest directory
// above the test's working directory, its package's, that holds go.mod):
// the sister frameworks' peer programs and the committed package.json and
// lock file of the JS ones.
func SistersDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("testdata", "sisters")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "testdata", "sisters")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "testdata", "sisters")
		}
	}
}

// JSPeer is node with the npm libraries js-banyan uses (zeromq through its
// v5-compat API, msgpack-lite), at the versions of the committed lock file.
type JSPeer struct {
	Node        string // the node executable
	NodeModules string // the node_modules directory holding the libraries
}

// Env returns the process environment with NODE_PATH set so that
// require('zeromq/v5-compat') and require('msgpack-lite') find the libraries.
func (p JSPeer) Env() []string { return append(os.Environ(), "NODE_PATH="+p.NodeModules) }

// Start runs a JS program from testdata/sisters/js with args (see Start).
func (p JSPeer) Start(t testing.TB, program string, args ...string) *Proc {
	t.Helper()
	return StartEnv(t, p.Env(), p.Node, append([]string{filepath.Join(SistersDir(), "js", program)}, args...)...)
}

// checks caches each peer check's outcome (the error text, "" when present)
// for the life of the test binary.
var checks sync.Map // string -> *check

type check struct {
	once sync.Once
	err  string
}

func checked(key string, f func() string) string {
	c, _ := checks.LoadOrStore(key, &check{})
	ch := c.(*check)
	ch.once.Do(func() { ch.err = f() })
	return ch.err
}

// JS returns node and the node_modules that `make peers` filled, after
// checking that the installed lock file is the committed one and that both
// libraries load; else the test is skipped or failed (see the package doc).
func JS(t testing.TB) JSPeer {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node: %v", err)
	}
	dir := NPMDir()
	p := JSPeer{Node: node, NodeModules: filepath.Join(dir, "node_modules")}
	if err := checked("js", func() string {
		want, err := os.ReadFile(filepath.Join(SistersDir(), "js", "package-lock.json"))
		if err != nil {
			return err.Error()
		}
		have, err := os.ReadFile(filepath.Join(dir, NPMStamp))
		if err != nil || !bytes.Equal(have, want) {
			return fmt.Sprintf("js-banyan's npm libraries are not installed in %s from testdata/sisters/js/package-lock.json (%s=%q overrides the directory)", dir, EnvNPMPeers, os.Getenv(EnvNPMPeers))
		}
		cmd := exec.Command(node, "-e", "require('zeromq/v5-compat'); require('msgpack-lite')")
		cmd.Env = p.Env()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Sprintf("node cannot load zeromq/v5-compat and msgpack-lite from %s: %v: %s", p.NodeModules, err, strings.TrimSpace(string(out)))
		}
		return ""
	}); err != "" {
		missing(t, "%s", err)
	}
	return p
}

// RubyPeer is ruby with the gems rb_banyan uses, ffi-rzmq and msgpack
// (Debian's ruby-ffi-rzmq and ruby-msgpack).
type RubyPeer struct {
	Ruby string // the ruby executable
}

// Start runs a Ruby program from testdata/sisters/ruby with args (see Start).
func (p RubyPeer) Start(t testing.TB, program string, args ...string) *Proc {
	t.Helper()
	return Start(t, p.Ruby, append([]string{filepath.Join(SistersDir(), "ruby", program)}, args...)...)
}

// Ruby returns ruby after checking that it can require ffi-rzmq, msgpack
// and json; else the test is skipped or failed (see the package doc).
func Ruby(t testing.TB) RubyPeer {
	t.Helper()
	ruby, err := exec.LookPath("ruby")
	if err != nil {
		missing(t, "ruby: %v", err)
	}
	if err := checked("ruby", func() string {
		code := "require 'ffi-rzmq'; require 'msgpack'; require 'json'; ZMQ::Context.new.terminate"
		if out, err := exec.Command(ruby, "-e", code).CombinedOutput(); err != nil {
			return fmt.Sprintf("ruby cannot load ffi-rzmq and msgpack (Debian's ruby-ffi-rzmq, ruby-msgpack): %v: %s", err, strings.TrimSpace(string(out)))
		}
		return ""
	}); err != "" {
		missing(t, "%s", err)
	}
	return RubyPeer{Ruby: ruby}
}

// JavaPeer is a JDK with Debian's JeroMQ (libjeromq-java, 0.3.6 in
// bookworm: ZMTP 2.0) for the Java peers, which tests compile with javac.
type JavaPeer struct {
	Java, Javac string // the java and javac executables
	JeroMQ      string // the JeroMQ jar
}

// Compile compiles the named sources from testdata/sisters/java (all of
// them when none is named) into dir, with JeroMQ on the class path.
func (p JavaPeer) Compile(dir string, sources ...string) error {
	src := filepath.Join(SistersDir(), "java")
	if len(sources) == 0 {
		all, err := filepath.Glob(filepath.Join(src, "*.java"))
		if err != nil {
			return err
		}
		sources = all
	} else {
		for i, s := range sources {
			sources[i] = filepath.Join(src, s)
		}
	}
	args := append([]string{"-nowarn", "-encoding", "UTF-8", "-cp", p.JeroMQ, "-d", dir}, sources...)
	if out, err := exec.Command(p.Javac, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("javac: %v: %s", err, out)
	}
	return nil
}

// Start runs the Java class main, compiled into classes, with args (see Start).
func (p JavaPeer) Start(t testing.TB, classes, main string, args ...string) *Proc {
	t.Helper()
	return Start(t, p.Java, append([]string{"-cp", classes + string(os.PathListSeparator) + p.JeroMQ, main}, args...)...)
}

// Java returns java, javac (Debian's default-jdk-headless) and the JeroMQ
// jar after checking they exist; else the test is skipped or failed.
func Java(t testing.TB) JavaPeer {
	t.Helper()
	var p JavaPeer
	var err error
	if p.Java, err = exec.LookPath("java"); err != nil {
		missing(t, "java (default-jdk-headless): %v", err)
	}
	if p.Javac, err = exec.LookPath("javac"); err != nil {
		missing(t, "javac (default-jdk-headless): %v", err)
	}
	if _, err := os.Stat(JeroMQJar); err != nil {
		missing(t, "JeroMQ (libjeromq-java): %v", err)
	}
	p.JeroMQ = JeroMQJar
	return p
}
