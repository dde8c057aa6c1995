package launch

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Python's own launch files read unchanged.
func TestLoadPythonCSV(t *testing.T) {
	entries, err := Load("testdata/launch.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "monitor", Command: "monitor", Args: []string{"monitor"}, Spawn: true, Topic: "local", Where: "launch.csv row 2"},
		{Name: "server", Command: "server", Args: []string{"server"}, Spawn: true, Topic: "local", AutoRestart: true, Where: "launch.csv row 3"},
		{Name: "client", Command: "client", Args: []string{"client"}, Spawn: true, Topic: "local", Where: "launch.csv row 4"},
		{Name: "rpi_gateway", Command: "python3 ../raspberry_pi/rpi_gateway.py", Args: []string{"python3", "../raspberry_pi/rpi_gateway.py"},
			Topic: "rpi_remote", AppendBackplane: true, Wait: 5 * time.Second, Where: "launch.csv row 5"},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", entries, want)
	}
	if entries[0].Local() != true || entries[3].Local() != false {
		t.Error("Local")
	}
}

func TestParseCSVExtras(t *testing.T) {
	in := "\ufeffwait, topic ,command_string,spawn,append_bp_address,auto_restart\n" +
		"# a comment\n" +
		`0.25,local,sh -c "sleep 1; echo 'hi there'",NO,,Yes` + "\n" +
		`1.5,local,"python3 s.py --name ""a, b""",no,no,no` + "\n" +
		`,local,sh -c 'sleep 1',no,no,no` + "\n"
	entries, err := ParseCSV(strings.NewReader(in), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := entries[0]; got.Wait != 250*time.Millisecond || !got.AutoRestart || got.Spawn ||
		!reflect.DeepEqual(got.Args, []string{"sh", "-c", "sleep 1; echo 'hi there'"}) || got.Name != "sh" {
		t.Errorf("row 1: %+v", got)
	}
	if got := entries[1]; got.Wait != 1500*time.Millisecond || !reflect.DeepEqual(got.Args, []string{"python3", "s.py", "--name", "a, b"}) || got.Name != "s" {
		t.Errorf("row 2: %+v", got)
	}
	if got := entries[2]; got.Wait != 0 || got.Name != "sh-2" {
		t.Errorf("row 3: %+v", got)
	}
	entries, err = ParseCSV(strings.NewReader(strings.Join(columns(), ",")+"\nbackplane -p 1,no,local,no,no,0\n"), "")
	if err != nil || entries[0].Name != "backplane-2" {
		t.Errorf("a row running a backplane: %+v, %v; want the name backplane-2 (backplane labels the launcher's own)", entries, err)
	}
}

// Every problem names its row and column.
func TestParseCSVErrors(t *testing.T) {
	header := strings.Join(columns(), ",") + "\n"
	for _, tc := range []struct {
		name, in string
		row, col int
		msg      string
	}{
		{"empty", "", 0, 0, "empty file"},
		{"missing column", "command_string,spawn,topic,append_bp_address,auto_restart\nx,no,local,no,no\n", 1, 0, `lacks column "wait"`},
		{"unknown column", "command_string,spawn,topic,append_bp_address,auto_restart,wiat\n", 1, 6, `unknown column "wiat"`},
		{"duplicate column", "command_string,spawn,topic,append_bp_address,auto_restart,wait,spawn\n", 1, 7, "appears twice"},
		{"field count", header + "a,no,local,no,no,0\nb,no,local,no,no\n", 3, 0, "has 5 fields, want 6"},
		{"fraction with a comma", header + "a,no,local,no,no,0\nb,no,local,no,no,\"0,5\"\n", 3, 6, `"0,5" is not a number of seconds`},
		{"after a comment", header + "# the sleeper\na,no,local,no,no,x\n", 3, 6, `"x" is not`},
		{"negative wait", header + "a,no,local,no,no,-1\n", 2, 6, "out of range"},
		{"bad yes", header + "a,no,local,no,sure,0\n", 2, 5, `"sure": want yes or no`},
		{"bad spawn", header + "a,1,local,no,no,0\n", 2, 2, `"1": want yes or no`},
		{"empty command", header + "a,no,local,no,no,0\n ,no,local,no,no,0\n", 3, 1, "empty command"},
		{"unbalanced quote", header + "sh -c 'sleep 1,no,local,no,no,0\n", 2, 1, "unbalanced quote"},
		{"empty topic", header + "a,no,,no,no,0\n", 2, 3, "empty topic"},
		{"reserved topic", header + "a,no,killall,no,no,0\n", 2, 3, "reserved"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in), "app.csv")
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrBadFile) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Row != tc.row || pe.Column != tc.col || !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "app.csv: ") {
				t.Errorf("got %q (row %d, column %d), want row %d, column %d, %q", err, pe.Row, pe.Column, tc.row, tc.col, tc.msg)
			}
		})
	}
}

func TestParseCSVErrorText(t *testing.T) {
	_, err := ParseCSV(strings.NewReader(strings.Join(columns(), ",")+"\na,no,local,no,no,soon\n"), "launch.csv")
	if want := `launch.csv: row 2, column 6 (wait): "soon" is not a number of seconds`; err == nil || err.Error() != want {
		t.Fatalf("got %q, want %q", err, want)
	}
}

func TestLoadTOML(t *testing.T) {
	entries, err := Load("testdata/launch.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "monitor", Command: "banyan monitor", Args: []string{"banyan", "monitor"}, Spawn: true, Topic: "local", Where: "launch.toml process 1"},
		{Name: "server", Command: "python3 server.py -n 'my server, the first'", Args: []string{"python3", "server.py", "-n", "my server, the first"},
			Topic: "local", AutoRestart: true, Wait: 500 * time.Millisecond, Dir: "/tmp", Env: []string{"A=1", "LEVEL=debug"}, Where: "launch.toml process 2"},
		{Name: "rpi_gateway", Command: "python3 ../raspberry_pi/rpi_gateway.py", Args: []string{"python3", "../raspberry_pi/rpi_gateway.py"},
			Topic: "rpi_remote", AppendBackplane: true, Wait: 5 * time.Second, Where: "launch.toml process 3"},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", entries, want)
	}
}

func TestParseTOMLErrors(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"[[process]]\ncommand = 'a'\nauto_restrat = true\n", `unknown key process.auto_restrat`},
		{"[[process]]\ncommand = 'a'\n[[process]]\nwait = 1\n", "process 2, key command: missing"},
		{"[[process]]\ncommand = 'a'\nargs = ['a']\n", "not both"},
		{"[[process]]\ncommand = 'a'\nwait = -2\n", "out of range"},
		{"[[process]]\ncommand = 'a'\nwait = 'soon'\n", "wait"},
		{"[[process]]\ncommand = 'a\n", "line 2"},
		{"[[process]]\nname = 'x'\ncommand = 'a'\n[[process]]\nname = 'x'\ncommand = 'b'\n", "already used"},
		{"title = 'x'\n", "unknown key title"},
		{"[[process]]\nname = 'launch'\ncommand = 'a'\n", "reserved"},
		{"", "no [[process]]"},
	} {
		_, err := ParseTOML(strings.NewReader(tc.in), "a.toml")
		if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.msg)
		}
	}
}

func TestDeriveName(t *testing.T) {
	for _, tc := range []struct {
		cmd, want string
	}{
		{"python3 ../rpi/rpi_gateway.py -b 1.2.3.4", "rpi_gateway"},
		{"python3 -u server.py", "server"},
		{"/usr/bin/python3.11 x/y.py", "y"},
		{"node app.js", "app"},
		{"sh -c 'sleep 30'", "sh"},
		{"/opt/bin/banyan monitor -t x", "monitor"},
		{"banyan -b 1.2.3.4", "banyan"},
		{"java -jar gw.jar", "gw"},
	} {
		args, _ := SplitCommand(tc.cmd)
		if got := DeriveName(args); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
