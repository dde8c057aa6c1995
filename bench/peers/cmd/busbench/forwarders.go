package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bench/peers/internal/forwarder"
	"github.com/gobanyan/banyan/bench/peers/internal/mqttbus"
	"github.com/gobanyan/banyan/bench/peers/internal/natsbus"
	"github.com/gobanyan/banyan/internal/benchmark"
)

// forwarderFlags say which forwarder to start and where its programs are.
type forwarderFlags struct {
	bus, label    string
	banyan        string
	backplaneArgs string
	python        string
	pyforwarder   string
	mosquitto     string
}

func (f *forwarderFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.bus, "bus", "banyan", "banyan, libzmq, nats or mqtt")
	fs.StringVar(&f.label, "label", "", "the bus's name in results (default: -bus), e.g. for a variant with -backplane-args")
	fs.StringVar(&f.banyan, "banyan", "banyan", "the banyan binary (bus banyan)")
	fs.StringVar(&f.backplaneArgs, "backplane-args", "", "more flags for `banyan backplane`, e.g. \"--flow-control 16777216\"")
	fs.StringVar(&f.python, "python", "/usr/bin/python3", "python with pyzmq (bus libzmq)")
	fs.StringVar(&f.pyforwarder, "pyforwarder", "bench/pyforwarder.py", "Python Banyan's forwarder script (bus libzmq)")
	fs.StringVar(&f.mosquitto, "mosquitto", "", "the mosquitto binary (bus mqtt; default: on PATH, else /usr/sbin/mosquitto)")
}

// name is the bus's name in results.
func (f *forwarderFlags) name() string {
	if f.label != "" {
		return f.label
	}
	return f.bus
}

// running is a started forwarder and the Bus that reaches it.
type running struct {
	proc    *forwarder.Process
	bus     benchmark.Bus
	ports   []int        // banyan, libzmq: publisher and subscriber port; nats, mqtt: one port; then the metrics port, if any
	cleanup func() error // stops the forwarder and removes its files
}

// start starts the forwarder and waits until it accepts. With metrics,
// our backplane also serves Prometheus metrics (ports[2]).
func (f *forwarderFlags) start(ctx context.Context, metrics bool) (*running, error) {
	n := 1
	switch f.bus {
	case "banyan":
		n = 2
		if metrics {
			n = 3
		}
	case "libzmq":
		n = 2
	}
	ports, err := forwarder.FreePorts(n)
	if err != nil {
		return nil, err
	}
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	var (
		name   string
		args   []string
		bus    benchmark.Bus
		remove = func() {}
	)
	components := func() benchmark.Bus {
		return benchmark.Banyan(banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(ports[0], ports[1]))
	}
	switch f.bus {
	case "banyan":
		name = f.banyan
		args = []string{"backplane", "--bind", "127.0.0.1", "--hwm", "-1",
			"-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1])}
		if metrics {
			args = append(args, "--metrics", addr(ports[2]))
		}
		args = append(args, strings.Fields(f.backplaneArgs)...)
		bus = components()
	case "libzmq":
		name = f.python
		args = []string{f.pyforwarder, strconv.Itoa(ports[0]), strconv.Itoa(ports[1])}
		bus = components()
	case "nats":
		if name, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("this executable, for the nats-server role: %w", err)
		}
		args = []string{"nats-server", "-port", strconv.Itoa(ports[0])}
		bus = natsbus.New("nats://" + addr(ports[0]))
	case "mqtt":
		if name = f.mosquitto; name == "" {
			if name, err = exec.LookPath("mosquitto"); err != nil {
				name = "/usr/sbin/mosquitto"
			}
		}
		dir, err := os.MkdirTemp("", "busbench-mosquitto")
		if err != nil {
			return nil, err
		}
		remove = func() { os.RemoveAll(dir) }
		conf := filepath.Join(dir, "mosquitto.conf")
		if err := os.WriteFile(conf, []byte(mqttbus.Config(ports[0])), 0o644); err != nil {
			remove()
			return nil, err
		}
		args = []string{"-c", conf}
		bus = mqttbus.New("tcp://" + addr(ports[0]))
	default:
		return nil, fmt.Errorf("unknown bus %q: want banyan, libzmq, nats or mqtt", f.bus)
	}
	proc, err := forwarder.Start(name, args...)
	if err != nil {
		remove()
		return nil, err
	}
	r := &running{proc: proc, bus: bus, ports: ports, cleanup: func() error {
		err := proc.Stop()
		remove()
		return err
	}}
	listen := []string{addr(ports[0])}
	for _, p := range ports[1:] {
		listen = append(listen, addr(p))
	}
	if err := proc.WaitListening(ctx, listen...); err != nil {
		return nil, errors.Join(err, r.cleanup())
	}
	return r, nil
}
