package multi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/multi"
)

// One component on two backplanes: a request arrives on BP1, the component
// answers on BP2, and the handler is told where each message came from.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Two backplanes on free loopback ports (in real life: two `banyan
	// backplane` processes, e.g. on ports 43124/43125 and 43126/43127).
	var rows []string
	for _, name := range []string{"BP1", "BP2"} {
		bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: quiet})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer bp.Close()
		topic := map[string]string{"BP1": "[echo]", "BP2": "[notice]"}[name]
		rows = append(rows, fmt.Sprintf("%s,127.0.0.1,%d,%q,%d", name, bp.SubscriberPort(), topic, bp.PublisherPort()))
	}
	spec, err := multi.ParseSpec(strings.NewReader(multi.Header+"\n"+strings.Join(rows, "\n")), "spec.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := multi.Open(ctx, spec, multi.WithName("Example"), multi.WithLogger(quiet))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	// Ready on return: the spec's topics are subscribed on both backplanes.
	m.Publish("BP1", "echo", map[string]any{"message_number": 0})
	m.Run(ctx, func(bp string, msg *banyan.Message) {
		v, _ := msg.Map()
		fmt.Println(bp, msg.Topic, v)
		if msg.Topic == "echo" {
			m.Publish("BP2", "notice", map[string]any{"message": "got it", "id": "b"})
		} else {
			cancel()
		}
	})
	// Output:
	// BP1 echo map[message_number:0]
	// BP2 notice map[id:b message:got it]
}

// A routing spec is checked completely before anything is connected; each
// error names the file, line, row and column.
func ExampleParseSpec() {
	const spec = `backplane_name,ip_address,subscriber_port,subscriber_topic,publisher_port
LEDS,192.168.2.191,43125,"[Red_LED, Green_LED]",43124
LEDS,192.168.2.193,43127,"[]",43126
Motors,192.168.2.191,43125,"Run_Motors]",
`
	_, err := multi.ParseSpec(strings.NewReader(spec), "spec.csv")
	fmt.Println(err)

	s, err := multi.ParseSpec(strings.NewReader(spec[:strings.Index(spec, "LEDS,192.168.2.193")]), "spec.csv")
	fmt.Printf("%q %v\n", s.Backplanes[0].Topics, err)
	_, err = multi.ParseSpec(strings.NewReader(spec[:strings.Index(spec, "LEDS,192.168.2.193")]), "spec.csv", multi.WithStrict())
	fmt.Println(err)
	// Output:
	// spec.csv:3: row 2 (LEDS), column backplane_name: Duplicate Back Plane Name - check your .csv file: "LEDS" is also row 1 (line 2)
	// spec.csv:4: row 3 (Motors), column subscriber_topic: Topic field must begin with "[" and end with "]": got "Run_Motors]"
	// ["Red_LED" "Green_LED"] <nil>
	// spec.csv:2: row 1 (LEDS), column subscriber_topic: Topics may not contain a space character: got "[Red_LED, Green_LED]"
}
