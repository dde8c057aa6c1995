package launch_test

import (
	"fmt"
	"strings"

	"github.com/gobanyan/banyan/launch"
)

// Read a launch file (Python's CSV) and see what would run where.
func Example() {
	const file = `command_string,spawn,topic,append_bp_address,auto_restart,wait
banyan monitor,no,local,no,no,0
python3 server.py -n "echo server",no,local,no,yes,0.5
python3 ../rpi/rpi_gateway.py,no,rpi,yes,no,5
`
	entries, err := launch.ParseCSV(strings.NewReader(file), "launch.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range entries {
		fmt.Printf("%-11s %-5s restart=%-5v wait=%-4v %q\n", e.Name, e.Topic, e.AutoRestart, e.Wait, e.Args)
	}

	_, err = launch.ParseCSV(strings.NewReader("command_string,spawn,topic,append_bp_address,auto_restart,wait\nx,no,local,no,no,soon\n"), "bad.csv")
	fmt.Println(err)
	// Output:
	// monitor     local restart=false wait=0s   ["banyan" "monitor"]
	// server      local restart=true  wait=500ms ["python3" "server.py" "-n" "echo server"]
	// rpi_gateway rpi   restart=false wait=5s   ["python3" "../rpi/rpi_gateway.py"]
	// bad.csv: row 2, column 6 (wait): "soon" is not a number of seconds
}

func ExampleSplitCommand() {
	words, _ := launch.SplitCommand(`sh -c 'sleep 1; echo "done"' --name my\ app`)
	fmt.Printf("%q\n", words)
	// Output: ["sh" "-c" "sleep 1; echo \"done\"" "--name" "my app"]
}
