// Package ratestats counts messages and payload bytes per topic and turns
// the counts into per-second rates for each interval, as the monitor's
// --stats rate line shows them.
//
// A Counter is fed from the receive path (Add) and read by a reporter
// (Take), from any goroutines:
//
//	c := ratestats.New(time.Now())
//	c.Add("echo", len(payload))            // for each message
//	r := c.Take(time.Now())                 // once per interval
//	fmt.Println(r.Line(10))                 // "12:00:01 total 1000.0 msg/s 40.0 kB/s | echo ..."
package ratestats
