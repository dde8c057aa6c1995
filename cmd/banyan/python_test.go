package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// nargsOf names the nargs='+' flags of the commands that parse their own
// flags (withNargs), as their RunE does.
var nargsOf = map[string][]string{"mqtt": {"banyan-topics", "mqtt-topics"}, "tcp": {"banyan-topics"}, "ws": {"subscribe"}}

// parseAs parses args as the program named argv0 would (through
// dispatch), without running the command, and returns the command that
// would run.
func parseAs(t *testing.T, argv0 string, args ...string) (*cobra.Command, error) {
	t.Helper()
	root := newRootAs(progName(argv0))
	sub, rest, err := root.Find(dispatch(argv0, args))
	if err != nil {
		return nil, err
	}
	if sub == root {
		t.Fatalf("%s %q: no command found", argv0, args)
	}
	if sub.DisableFlagParsing {
		return sub, parseNargs(sub, rest, nargsOf[sub.Name()]...)
	}
	if err := sub.ParseFlags(rest); err != nil {
		return sub, err
	}
	return sub, sub.ValidateArgs(sub.Flags().Args())
}

func TestProgName(t *testing.T) {
	for argv0, want := range map[string]string{
		"backplane": "backplane", "/usr/local/bin/monitor": "monitor", `C:\go\bin\bls.exe`: "bls", "wsgw.EXE": "wsgw",
		"./banyan": "banyan", ".exe": ".exe", "": ".",
	} {
		if got := progName(strings.ReplaceAll(argv0, `\`, "/")); got != want {
			t.Errorf("progName(%q) = %q, want %q", argv0, got, want)
		}
	}
}

// Each Python name runs its tool; any other name is the root.
func TestDispatchNames(t *testing.T) {
	for _, c := range []struct{ argv0, tool string }{
		{"backplane", "backplane"}, {"/opt/bin/monitor", "monitor"}, {"bls", "launch"}, {"blc", "launch-client"},
		{"blk", "killall"}, {"mgw", "mqtt"}, {"tgw", "tcp"}, {"wsgw.exe", "ws"},
	} {
		root := newCommand(c.argv0, []string{"-h"})
		var out bytes.Buffer
		root.SetOut(&out)
		if err := root.Execute(); err != nil {
			t.Errorf("%s -h: %v", c.argv0, err)
			continue
		}
		if want := "banyan " + c.tool + " "; !strings.Contains(out.String(), "Usage:\n  "+want) {
			t.Errorf("%s -h is not %q's help:\n%s", c.argv0, c.tool, out.String())
		}
	}
	for _, argv0 := range []string{"banyan", "/usr/bin/banyan.exe", "backplane2", "python3"} {
		if got := dispatch(argv0, []string{"monitor", "-m", "True"}); strings.Join(got, " ") != "monitor -m True" {
			t.Errorf("dispatch(%q) = %q: not the root's arguments", argv0, got)
		}
	}
	if got := dispatch("backplane", []string{"-n", "x"}); strings.Join(got, " ") != "backplane -n x" {
		t.Errorf("dispatch(backplane) = %q", got)
	}
	if len(pythonNames()) != 8 {
		t.Fatalf("pythonNames: %q", pythonNames())
	}
	for _, name := range pythonNames() {
		if _, ok := pythonTool(name); !ok {
			t.Errorf("pythonNames has %q, which pythonTool does not know", name)
		}
	}
}

// Every Python flag of every Python name, parsed as that name would, with
// Python's meaning; and --msgpack and --connect-timeout on every
// component tool.
func TestPythonFlags(t *testing.T) {
	type want map[string]string // flag name -> value after parsing
	for _, c := range []struct {
		argv0 string
		args  []string
		want  want
	}{
		// backplane [-n NAME] [-p PORT] [-s PORT] [-t LOOP_TIME]
		{"backplane", nil, want{"name": "", "publisher-port": "43124", "subscriber-port": "43125", "loop-time": "0.001"}},
		{"backplane", []string{"-n", "x", "-p", "5000", "-s", "5001", "-t", "0.01"}, want{"name": "x", "publisher-port": "5000", "subscriber-port": "5001", "loop-time": "0.01"}},

		// monitor -b -m -n -p -s
		{"monitor", nil, want{"backplane": "", "numpy": "False", "name": "Monitor", "publisher-port": "43124", "subscriber-port": "43125", "connect-timeout": "0s", "msgpack": "current"}},
		{"monitor", []string{"-b", "None", "-m", "True", "-n", "M", "-p", "5000", "-s", "5001"}, want{"backplane": "", "numpy": "True", "name": "M", "publisher-port": "5000", "subscriber-port": "5001"}},
		{"monitor", []string{"-b", "10.0.0.5", "-m", "False"}, want{"backplane": "10.0.0.5", "numpy": "False"}},
		{"monitor", []string{"--msgpack", "legacy", "--connect-timeout", "1s"}, want{"msgpack": "legacy", "connect-timeout": "1s"}},

		// bls -f -p -s
		{"bls", nil, want{"file": "launch.csv", "publisher-port": "43124", "subscriber-port": "43125"}},
		{"bls", []string{"-f", "robot.csv", "-p", "5000", "-s", "5001"}, want{"file": "robot.csv", "publisher-port": "5000", "subscriber-port": "5001"}},

		// blc -b -t -p -s
		{"blc", []string{"-b", "192.168.1.20", "-t", "rpi", "-p", "5000", "-s", "5001"}, want{"backplane": "192.168.1.20", "topic": "rpi", "publisher-port": "5000", "subscriber-port": "5001"}},
		{"blc", []string{"-b", "None", "-t", "rpi"}, want{"backplane": "", "topic": "rpi"}},

		// blk: no flags in Python; ours are the component's.
		{"blk", nil, want{"backplane": "", "name": "Launcher Killer", "connect-timeout": "5s"}},
		{"blk", []string{"-b", "None", "--connect-timeout", "2s", "--msgpack", "legacy"}, want{"backplane": "", "connect-timeout": "2s", "msgpack": "legacy"}},

		// mgw -a -b -d -e -g -i -j -n -p -s -t
		{"mgw", nil, want{"broker": "localhost", "backplane": "", "mqtt-port": "1883", "banyan-pub-topic": "from_mqtt", "banyan-topics": "[to_mqtt]",
			"mqtt-pub-topic": "from_banyan", "mqtt-topics": "[mqtt_network]", "name": "MQTT Gateway", "loop-time": "0.1", "broker-connect-timeout": "10s", "connect-timeout": "0s"}},
		{"mgw", []string{"-a", "broker.lan", "-b", "None", "-d", "1884", "-e", "in", "-g", "to_mqtt", "sensors", "-i", "out", "-j", "a/#", "b",
			"-n", "gw", "-p", "5000", "-s", "5001", "-t", ".1", "--connect-timeout", "3s", "--msgpack", "legacy"},
			want{"broker": "broker.lan", "backplane": "", "mqtt-port": "1884", "banyan-pub-topic": "in", "banyan-topics": "[to_mqtt,sensors]",
				"mqtt-pub-topic": "out", "mqtt-topics": "[a/#,b]", "name": "gw", "publisher-port": "5000", "subscriber-port": "5001", "loop-time": "0.1",
				"connect-timeout": "3s", "msgpack": "legacy"}},

		// tgw -a -b -e -g -l -n -p -s -z
		{"tgw", nil, want{"address": "", "backplane": "", "banyan-pub-topic": "from_pico", "banyan-topics": "[figura]", "event-loop": "None", "port": "31335", "name": "TcpGateway"}},
		{"tgw", []string{"-a", "192.168.2.31", "-b", "None", "-e", "up", "-g", "leds", "motors", "-l", "None", "-n", "31336", "-p", "5000", "-s", "5001", "-z", "pico",
			"--connect-timeout", "4s", "--msgpack", "legacy"},
			want{"address": "192.168.2.31", "backplane": "", "banyan-pub-topic": "up", "banyan-topics": "[leds,motors]", "event-loop": "None", "port": "31336",
				"publisher-port": "5000", "subscriber-port": "5001", "name": "pico", "connect-timeout": "4s", "msgpack": "legacy"}},

		// wsgw -b -m -n -p -s, and s3-extend's -i and -l
		{"wsgw", nil, want{"backplane": "", "subscribe": "[]", "name": "WebSocket Gateway", "port": "0", "log": "False", "listen": "127.0.0.1:9000", "origin": "[onegpio]"}},
		{"wsgw", []string{"--origin", "localhost:8000"}, want{"origin": "[localhost:8000]"}},
		{"wsgw", []string{"-b", "None", "-m", "from_a, from_b", "from_c", "-n", "w", "-p", "5000", "-s", "5001", "-i", "9001", "-l", "True", "--connect-timeout", "5s"},
			want{"backplane": "", "subscribe": `["from_a, from_b",from_c]`, "name": "w", "publisher-port": "5000", "subscriber-port": "5001", "port": "9001", "log": "True", "connect-timeout": "5s"}},

		// the echo examples: -b -m -n -p -s -t
		{"banyan", []string{"echo-server", "-b", "None", "-m", "10", "-n", "S", "-p", "5000", "-s", "5001", "-t", "0.1"},
			want{"backplane": "", "messages": "10", "name": "S", "publisher-port": "5000", "subscriber-port": "5001", "loop-time": "0.1"}},
		{"banyan", []string{"echo-client", "-b", "None", "-m", "7", "-n", "C", "-p", "5000", "-s", "5001", "-t", ".1", "--connect-timeout", "1m"},
			want{"backplane": "", "messages": "7", "name": "C", "publisher-port": "5000", "subscriber-port": "5001", "loop-time": "0.1", "timeout": "5s", "connect-timeout": "1m0s"}},

		// The same flags under "banyan <tool>".
		{"banyan", []string{"backplane", "-n", "x", "-t", "0.5"}, want{"name": "x", "loop-time": "0.5"}},
		{"banyan", []string{"monitor", "-b", "None", "-m", "True"}, want{"backplane": "", "numpy": "True"}},
		{"banyan", []string{"ws", "-i", "9002"}, want{"port": "9002", "origin": "[]"}},

		// The other component tools get -b None, --msgpack and --connect-timeout too.
		{"banyan", []string{"pub", "-b", "None", "--msgpack", "legacy", "--connect-timeout", "1s", "t"}, want{"backplane": "", "msgpack": "legacy", "connect-timeout": "1s"}},
		{"banyan", []string{"sub", "-b", "None", "--connect-timeout", "1s"}, want{"backplane": "", "connect-timeout": "1s"}},
		{"banyan", []string{"record", "-b", "None", "--msgpack", "legacy", "x.rec"}, want{"backplane": "", "msgpack": "legacy"}},
		{"banyan", []string{"replay", "-b", "None", "--msgpack", "legacy", "x.rec"}, want{"backplane": "", "msgpack": "legacy"}},
	} {
		cmd, err := parseAs(t, c.argv0, c.args...)
		if err != nil {
			t.Errorf("%s %q: %v", c.argv0, c.args, err)
			continue
		}
		for name, v := range c.want {
			f := cmd.Flags().Lookup(name)
			if f == nil {
				t.Errorf("%s %q: no flag --%s", c.argv0, c.args, name)
				continue
			}
			if got := f.Value.String(); got != v {
				t.Errorf("%s %q: --%s = %q, want %q", c.argv0, c.args, name, got, v)
			}
		}
	}
}

func TestPythonFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		argv0 string
		args  []string
		want  string
	}{
		{"monitor", []string{"--msgpack", "old"}, "want current or legacy"},
		{"wsgw", []string{"-l", "maybe"}, "want True or False"},
		{"backplane", []string{"-t", "soon"}, "invalid argument"},
		{"mgw", []string{"--connect-timeout", "10"}, "missing unit"},
		{"blc", []string{"stray"}, "unknown command"},
	} {
		if _, err := parseAs(t, c.argv0, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v, want an error with %q", c.argv0, c.args, err, c.want)
		}
	}
	// Python's "True" is taken in any case by -l (s3-extend lowers it).
	if cmd, err := parseAs(t, "wsgw", "-l", "true"); err != nil || cmd.Flags().Lookup("log").Value.String() != "True" {
		t.Errorf("wsgw -l true: %v", err)
	}
}

// The flags that mean nothing here say so in -h.
func TestNoEffectFlagsSaySo(t *testing.T) {
	for _, c := range []struct {
		argv0 string
		args  []string
		flags []string
	}{
		{"backplane", nil, []string{"-t, --loop-time"}},
		{"mgw", nil, []string{"-t, --loop-time"}},
		{"tgw", nil, []string{"-l, --event-loop"}},
		{"banyan", []string{"echo-server"}, []string{"-t, --loop-time", "-m, --messages"}},
		{"banyan", []string{"echo-client"}, []string{"-t, --loop-time"}},
	} {
		root := newCommand(c.argv0, append(c.args, "-h"))
		var out bytes.Buffer
		root.SetOut(&out)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.flags {
			_, line, _ := strings.Cut(out.String(), f)
			line, _, _ = strings.Cut(line, "\n  -")
			if !strings.Contains(line, "accepted for Python compatibility; no effect: ") {
				t.Errorf("%s %q -h: %s does not say it has no effect:\n%s", c.argv0, c.args, f, out.String())
			}
		}
	}
}

// As wsgw, and only as wsgw, --origin allows the OneGPIO pages on the web
// by default, and -h says so.
func TestWSGWOriginDefault(t *testing.T) {
	for _, c := range []struct {
		argv0 string
		args  []string
		want  string
	}{{"wsgw", nil, "(default [onegpio])"}, {"/usr/local/bin/wsgw", nil, "(default [onegpio])"}, {"banyan", []string{"ws"}, ""}} {
		var out bytes.Buffer
		root := newCommand(c.argv0, append(c.args, "-h"))
		root.SetOut(&out)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		_, line, _ := strings.Cut(out.String(), "--origin stringArray")
		line, _, _ = strings.Cut(line, "\n")
		if c.want == "" {
			if strings.Contains(line, "(default") {
				t.Errorf("%s %q -h: --origin has a default: %s", c.argv0, c.args, line)
			}
		} else if !strings.HasSuffix(line, c.want) || !strings.Contains(line, "as wsgw, onegpio unless --origin is given") {
			t.Errorf("%s %q -h: --origin lacks %q: %s", c.argv0, c.args, c.want, line)
		}
	}
}

// wsgw -i sets the port on --listen's host.
func TestWSGWPortOption(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "127.0.0.1:9000"},
		{[]string{"-i", "9001"}, "127.0.0.1:9001"},
		{[]string{"--listen", ":9000", "-i", "9002"}, ":9002"},
		{[]string{"--listen", "[::1]:9000", "-i", "9003"}, "[::1]:9003"},
	} {
		o, _, err := wsOptions(t, c.args...)
		if err != nil || o.Listen != c.want {
			t.Errorf("%q: Listen %q, %v; want %q", c.args, o.Listen, err, c.want)
		}
	}
	for _, bad := range [][]string{{"-i", "70000"}, {"-i", "-1"}, {"--listen", "nohost", "-i", "9000"}} {
		if _, _, err := wsOptions(t, bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, f, err := wsOptions(t, "-l", "True"); err != nil || !f.comp.verbose {
		t.Errorf("-l True does not turn logging on: %v", err)
	}
}
