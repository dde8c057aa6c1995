// Command mqtt-compare is one role of bench/mqtt-compare.sh: Python
// Banyan's performance comparison (reference section 7) in Go. A publisher
// sends n messages {'msg': i} (msgpack) on topic "test" as fast as it can;
// a subscriber counts them and times the first to the last received, through our
// backplane (bus banyan) or through mosquitto (bus mqtt, paho, QoS 0).
//
//	mqtt-compare sub -bus banyan -p 43124 -s 43125 [-pid N]   prints "ready", then one JSON line
//	mqtt-compare pub -bus mqtt -port 1883
//	mqtt-compare bridge -p 43124 -s 43125 -port 1883   runs bridge/mqtt (msgpack) until SIGTERM
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/mqtt"
)

type result struct {
	Bus        string
	Received   int
	Expected   int
	Complete   bool    // the last message (n-1) arrived
	Seconds    float64 // first to last message received, at the subscriber
	MsgPerSec  float64
	BrokerCPU  float64 // broker CPU seconds during the run (utime+stime), 0 without -pid
	BrokerCPUu float64 // broker CPU µs per received message
}

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: mqtt-compare pub|sub [flags]")
	}
	role := os.Args[1]
	fs := flag.NewFlagSet(role, flag.ExitOnError)
	bus := fs.String("bus", "banyan", "banyan or mqtt")
	n := fs.Int("n", 100000, "messages")
	host := fs.String("host", "127.0.0.1", "backplane or broker host")
	pubPort := fs.Int("p", banyan.DefaultPublisherPort, "backplane publisher port")
	subPort := fs.Int("s", banyan.DefaultSubscriberPort, "backplane subscriber port")
	port := fs.Int("port", 1883, "MQTT broker port")
	hwm := fs.Int("hwm", banyan.DefaultHWM, "Banyan publisher send queue (0 = unlimited)")
	pid := fs.Int("pid", 0, "broker process id, for its CPU time")
	idle := fs.Duration("idle", 5*time.Second, "subscriber gives up this long after the last message")
	fs.Parse(os.Args[2:])
	if *hwm == 0 {
		*hwm = banyan.Unlimited // this flag's 0 is banyan.WithHWM's Unlimited
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	payload := func(i int) []byte {
		b, err := banyan.Marshal(map[string]any{"msg": i})
		if err != nil {
			log.Fatal(err)
		}
		return b
	}
	msgOf := func(p []byte) int {
		m, err := banyan.DecodeMap(p)
		if err != nil {
			log.Fatal(err)
		}
		v, _ := m["msg"].(int64)
		return int(v)
	}

	switch role + "/" + *bus {
	case "pub/banyan":
		c, err := banyan.Connect(ctx, banyan.WithBackplane(*host), banyan.WithPorts(*pubPort, *subPort),
			banyan.WithHWM(*hwm), banyan.WithLogger(quiet))
		if err != nil {
			log.Fatal(err)
		}
		for i := 0; i < *n; i++ {
			c.PublishRaw("test", payload(i))
		}
		c.Close() // lingers until the queue is sent (bounded)
		fmt.Fprintf(os.Stderr, "banyan publisher: dropped %d\n", c.Stats().Dropped)

	case "pub/mqtt":
		cl := paho.NewClient(paho.NewClientOptions().AddBroker(fmt.Sprintf("tcp://%s:%d", *host, *port)).SetClientID("mqpub"))
		if t := cl.Connect(); t.Wait() && t.Error() != nil {
			log.Fatal(t.Error())
		}
		var last paho.Token
		for i := 0; i < *n; i++ {
			last = cl.Publish("test", 0, false, payload(i))
		}
		last.Wait()
		cl.Disconnect(1000)

	case "sub/banyan", "sub/mqtt":
		msgs := make(chan int, 1<<16)
		if *bus == "banyan" {
			c, err := banyan.Connect(ctx, banyan.WithBackplane(*host), banyan.WithPorts(*pubPort, *subPort),
				banyan.WithSubscriptions("test"), banyan.WithLogger(quiet))
			if err != nil {
				log.Fatal(err)
			}
			defer c.Close()
			go c.Run(ctx, func(m *banyan.Message) { msgs <- msgOf(m.Payload) })
		} else {
			cl := paho.NewClient(paho.NewClientOptions().AddBroker(fmt.Sprintf("tcp://%s:%d", *host, *port)).SetClientID("mqsub"))
			if t := cl.Connect(); t.Wait() && t.Error() != nil {
				log.Fatal(t.Error())
			}
			if t := cl.Subscribe("test", 0, func(_ paho.Client, m paho.Message) { msgs <- msgOf(m.Payload()) }); t.Wait() && t.Error() != nil {
				log.Fatal(t.Error())
			}
			defer cl.Disconnect(100)
		}
		cpu0 := cpuSeconds(*pid)
		fmt.Println("ready")
		r := result{Bus: *bus, Expected: *n}
		var start, end time.Time
		timer := time.NewTimer(time.Hour)
	loop:
		for {
			select {
			case v := <-msgs:
				end = time.Now()
				if r.Received == 0 {
					start = end // Python starts at msg 0; a lost msg 0 would never start its clock
				}
				r.Received++
				if v == *n-1 {
					r.Complete = true
					break loop
				}
				timer.Reset(*idle)
			case <-timer.C:
				break loop
			}
		}
		if r.Received > 1 {
			r.Seconds = end.Sub(start).Seconds()
			r.MsgPerSec = float64(r.Received) / r.Seconds
		}
		if *pid != 0 {
			r.BrokerCPU = cpuSeconds(*pid) - cpu0
			if r.Received > 0 {
				r.BrokerCPUu = r.BrokerCPU * 1e6 / float64(r.Received)
			}
		}
		json.NewEncoder(os.Stdout).Encode(r)

	case "bridge/banyan": // the bridge between the backplane and the broker, Banyan "test" -> MQTT "test"
		sctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
		defer stop()
		b, err := mqtt.New(sctx, mqtt.Options{
			Backplane:       []banyan.Option{banyan.WithBackplane(*host), banyan.WithPorts(*pubPort, *subPort), banyan.WithLogger(quiet)},
			BanyanSubTopics: []string{"test"}, MapToMQTT: true, MQTTSubTopics: []string{"unused"},
			Broker: *host, Port: *port, Encoding: mqtt.MsgPack, Logger: quiet,
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("ready")
		b.Run(sctx)
		b.Close()
		fmt.Fprintf(os.Stderr, "bridge: %+v\n", b.Stats())

	default:
		log.Fatalf("unknown role/bus %s/%s", role, *bus)
	}
}

// cpuSeconds reads a process's utime+stime from /proc (0 for pid 0).
func cpuSeconds(pid int) float64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100
}
