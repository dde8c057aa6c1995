package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/benchmark"
	"github.com/spf13/cobra"
)

func newBenchForwardCmd() *cobra.Command {
	var (
		cfg      benchmark.ForwardConfig
		asJSON   bool
		startOwn bool
	)
	cmd := &cobra.Command{
		Use:   "forward",
		Short: "Drive a forwarder with a lossless publisher and subscriber; report msg/s, loss, forwarder CPU per message",
		Long: `Send -m messages [5-byte topic, 40-byte msgpack] through a forwarder with
high-water marks of 0 (lossless), and report delivered msg/s (first to last
delivery), loss, and the forwarder's CPU microseconds per message (from
/proc/PID/stat when --pid is given).

With no --pid, it starts "banyan backplane --hwm -1" itself on -p/-s and
measures that. bench/compare-forwarders.sh runs this against our backplane and
a pyzmq zmq.device FORWARDER, alternating.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.PID == 0 && startOwn {
				pid, stop, err := startBackplaneProcess(cmd.Context(), cfg.PublisherPort, cfg.SubscriberPort)
				if err != nil {
					return err
				}
				defer stop()
				cfg.PID = pid
			}
			res, err := benchmark.Forward(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "delivered %d/%d (lost %d, out of order %d) in %.3f s: %.0f msg/s; forwarder CPU %.2f µs/msg\n",
				res.Delivered, res.Sent, res.Lost, res.OutOfOrder, res.Seconds, res.MsgPerSec, res.ForwarderCPUMicros)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVarP(&cfg.Messages, "messages", "m", 1_000_000, "messages to send")
	f.IntVarP(&cfg.PublisherPort, "publisher-port", "p", 53124, "forwarder port to publish to")
	f.IntVarP(&cfg.SubscriberPort, "subscriber-port", "s", 53125, "forwarder port to subscribe from")
	f.StringVarP(&cfg.Host, "backplane", "b", "127.0.0.1", "forwarder host")
	f.IntVar(&cfg.PID, "pid", 0, "forwarder process id, for CPU per message")
	f.BoolVar(&startOwn, "start", true, "without --pid, start our own backplane on -p/-s")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// startBackplaneProcess runs "banyan backplane --hwm -1" (lossless) on the
// given ports as a child process, and returns once it forwards: a
// component's connection probe has come back through it.
func startBackplaneProcess(ctx context.Context, pubPort, subPort int) (pid int, stop func(), err error) {
	exe, err := selfPath()
	if err != nil {
		return 0, nil, err
	}
	bp := exec.Command(exe, "backplane", "--bind", "127.0.0.1", "--hwm", "-1",
		"-p", strconv.Itoa(pubPort), "-s", strconv.Itoa(subPort))
	bp.Stderr = os.Stderr
	if err := bp.Start(); err != nil {
		return 0, nil, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = bp.Wait(); close(exited) }()
	stop = func() { bp.Process.Signal(syscall.SIGTERM); <-exited }
	// Probe until it answers, or stop probing as soon as it has exited.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	c, err := banyan.Connect(ctx, banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(pubPort, subPort),
		banyan.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		stop()
		if waitErr != nil {
			return 0, nil, fmt.Errorf("backplane process: %w", waitErr)
		}
		return 0, nil, fmt.Errorf("backplane process does not answer: %w", err)
	}
	c.Close()
	return bp.Process.Pid, stop, nil
}

func newBenchThroughputCmd() *cobra.Command {
	var (
		cfg    benchmark.ThroughputConfig
		asJSON bool
		own    bool
	)
	cmd := &cobra.Command{
		Use:   "throughput",
		Short: "Component API throughput: {'msg': i} on topic test, Go publisher -> backplane -> Go subscriber, lossless",
		Long: `Python Banyan's performance comparison through the component API: one
component publishes {'msg': i} on topic "test", another receives and decodes
each one, both with HWM 0 (lossless). Reports delivered msg/s (first to last).
By default it starts "banyan backplane --hwm -1" on -p/-s; --start=false uses
a backplane already running there.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if own {
				_, stop, err := startBackplaneProcess(cmd.Context(), cfg.PublisherPort, cfg.SubscriberPort)
				if err != nil {
					return err
				}
				defer stop()
			}
			res, err := benchmark.Throughput(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "delivered %d/%d (lost %d) in %.3f s: %.0f msg/s\n",
				res.Delivered, res.Sent, res.Lost, res.Seconds, res.MsgPerSec)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVarP(&cfg.Messages, "messages", "m", 1_000_000, "messages to send")
	f.IntVarP(&cfg.PublisherPort, "publisher-port", "p", 53124, "backplane publisher port")
	f.IntVarP(&cfg.SubscriberPort, "subscriber-port", "s", 53125, "backplane subscriber port")
	f.StringVarP(&cfg.Host, "backplane", "b", "127.0.0.1", "backplane host")
	f.BoolVar(&own, "start", true, "start our own backplane on -p/-s")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
