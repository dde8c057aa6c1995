package ratestats_test

import (
	"fmt"
	"time"

	"github.com/gobanyan/banyan/internal/ratestats"
)

func Example() {
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.Local)
	c := ratestats.New(start)
	for i := 0; i < 100; i++ {
		c.Add("echo", 40)
	}
	c.Add("button", 12)
	r := c.Take(start.Add(time.Second))
	fmt.Println(r.Line(0))
	// Output:
	// 12:00:01 total 101.0 msg/s 4.0 kB/s | echo 100.0 msg/s 4.0 kB/s | button 1.0 msg/s 12 B/s
}
