// Command nats-compare is the roles of bench/compare-nats.sh: Banyan ->
// NATS -> Banyan against Banyan -> MQTT -> Banyan (issue 16), each role
// its own process so that its CPU can be read from /proc.
//
//	nats-compare natsbridge -p P -s S -port N -export|-import
//	nats-compare mqttbridge -p P -s S -port N -export|-import
//	nats-compare run -p P1 -s S1 -p2 P2 -s2 S2 -n N [-rate R -duration D] [-pids a,b,c]
//
// The NATS server is bench/peers' `busbench nats-server` (nats-server
// embedded in its own process; bench/peers is its own module, so the
// product's cross-builds do not compile nats-server). A bridge role runs
// bridge/nats or bridge/mqtt between a backplane and the broker with msgpack
// payloads, topics kept ("test" <-> banyan.test or test), and its
// component's queues unbounded (banyan.WithHWM(banyan.Unlimited)), so that
// neither bridge drops for want of queue. run publishes {"i": i, "t": ns} on
// topic "test" to the backplane at P1/S1 and receives on the one at P2/S2
// (one process: one clock): flat out (rate 0) it reports the rate from the
// first to the last message received; paced it reports the latency. Both
// report the CPU per delivered message of the -pids processes (all their
// threads, from schedstat: benchmark.ProcessCPU). Output: one
// JSON line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/mqtt"
	"github.com/gobanyan/banyan/bridge/nats"
	"github.com/gobanyan/banyan/internal/benchmark"
)

type result struct {
	Sent, Received int
	Seconds        float64 // first to last message received
	MsgPerSec      float64
	P50us, P99us   float64   // publish to delivery
	CPUus          []float64 // per -pids process: CPU µs per received message
}

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: nats-compare natsbridge|mqttbridge|run [flags]")
	}
	role := os.Args[1]
	fs := flag.NewFlagSet(role, flag.ExitOnError)
	pubPort := fs.Int("p", 0, "backplane publisher port")
	subPort := fs.Int("s", 0, "backplane subscriber port")
	pubPort2 := fs.Int("p2", 0, "run: the receiving backplane's publisher port")
	subPort2 := fs.Int("s2", 0, "run: the receiving backplane's subscriber port")
	port := fs.Int("port", 0, "broker port")
	export := fs.Bool("export", false, "bridge: Banyan -> broker")
	imp := fs.Bool("import", false, "bridge: broker -> Banyan")
	n := fs.Int("n", 100000, "run: messages")
	rate := fs.Float64("rate", 0, "run: messages per second (0: flat out)")
	duration := fs.Duration("duration", 5*time.Second, "run: how long to publish when paced")
	pids := fs.String("pids", "", "run: comma-separated pids whose CPU is measured")
	fs.Parse(os.Args[2:])
	quiet := slog.New(slog.DiscardHandler)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	comp := []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(*pubPort, *subPort), banyan.WithLogger(quiet), banyan.WithHWM(banyan.Unlimited)}

	switch role {
	case "natsbridge":
		o := nats.Options{Backplane: comp, Servers: []string{"nats://127.0.0.1:" + strconv.Itoa(*port)}, Topics: []string{}, Subjects: []string{}, Logger: quiet}
		if *export {
			o.Topics = []string{"test"}
		}
		if *imp {
			o.Subjects = []string{"banyan.test"}
		}
		b, err := nats.New(ctx, o)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("ready")
		b.Run(ctx)
		fmt.Fprintf(os.Stderr, "nats bridge: %+v\n", b.Stats())

	case "mqttbridge":
		o := mqtt.Options{Backplane: comp, Broker: "127.0.0.1", Port: *port, Encoding: mqtt.MsgPack, MapToMQTT: true, MapFromMQTT: true,
			BanyanSubTopics: []string{}, MQTTSubTopics: []string{}, Logger: quiet}
		if *export {
			o.BanyanSubTopics = []string{"test"}
		}
		if *imp {
			o.MQTTSubTopics = []string{"test"}
		}
		b, err := mqtt.New(ctx, o)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("ready")
		b.Run(ctx)
		fmt.Fprintf(os.Stderr, "mqtt bridge: %+v\n", b.Stats())

	case "run":
		r, err := run(ctx, comp, *pubPort2, *subPort2, *n, *rate, *duration, *pids)
		if err != nil {
			log.Fatal(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
	default:
		log.Fatalf("unknown role %q", role)
	}
}

func run(ctx context.Context, comp []banyan.Option, pubPort2, subPort2, n int, rate float64, duration time.Duration, pids string) (*result, error) {
	pub, err := banyan.Connect(ctx, comp...)
	if err != nil {
		return nil, err
	}
	defer pub.Close()
	rx := append(slices.Clone(comp), banyan.WithPorts(pubPort2, subPort2), banyan.WithSubscriptions("test"))
	sub, err := banyan.Connect(ctx, rx...)
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	// Warm up: the path through the bridges is open once one arrives.
	for warm := false; !warm; {
		pub.Publish("test", map[string]any{"i": -1})
		select {
		case <-sub.Messages():
			warm = true
		case <-time.After(200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for len(sub.Messages()) > 0 {
		<-sub.Messages()
	}
	var procs []int
	for _, p := range strings.Split(pids, ",") {
		if p != "" {
			i, err := strconv.Atoi(p)
			if err != nil {
				return nil, err
			}
			procs = append(procs, i)
		}
	}
	cpu0 := make([]time.Duration, len(procs))
	for i, p := range procs {
		cpu0[i], _ = benchmark.ProcessCPU(p)
	}
	r := &result{}
	if rate > 0 {
		r.Sent = int(rate * duration.Seconds())
	} else {
		r.Sent = n
	}
	go func() {
		t0 := time.Now()
		for i := range r.Sent {
			if rate > 0 {
				if d := time.Until(t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))); d > 0 {
					time.Sleep(d)
				}
			}
			pub.Publish("test", map[string]any{"i": i, "t": time.Now().UnixNano()})
		}
	}()
	var lat []float64
	var first, last time.Time
	idle := time.NewTimer(10 * time.Second)
loop:
	for r.Received < r.Sent {
		select {
		case m := <-sub.Messages():
			now := time.Now()
			v, err := m.Map()
			if err != nil {
				continue
			}
			if i, _ := v["i"].(int64); i < 0 {
				continue
			}
			if r.Received == 0 {
				first = now
			}
			last = now
			r.Received++
			if t, ok := v["t"].(int64); ok {
				lat = append(lat, float64(now.UnixNano()-t)/1e3)
			}
			idle.Reset(5 * time.Second)
		case <-idle.C:
			break loop
		}
	}
	if r.Received > 1 {
		r.Seconds = last.Sub(first).Seconds()
		r.MsgPerSec = float64(r.Received-1) / r.Seconds
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		r.P50us = lat[len(lat)/2]
		r.P99us = lat[len(lat)*99/100]
	}
	for i, p := range procs {
		cpu, _ := benchmark.ProcessCPU(p)
		r.CPUus = append(r.CPUus, float64(cpu-cpu0[i])/1e3/float64(max(r.Received, 1)))
	}
	return r, nil
}
