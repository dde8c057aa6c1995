// Command multi-echo is Python Banyan's multi-backplane echo demo
// (examples/banyan_base_multi/simple_demo) written with package multi: one
// component connected to two backplanes.
//
// On the echo backplane (BP1) it republishes each "echo" payload on
// "reply", printing "Message number: n", as the echo server does. When
// message number 0 arrives it publishes {"message": "got it", "id": "b"} on
// "notice" to the notice backplane (BP2), where a notifier is listening.
//
// usage: multi-echo [-n name] [-echo BP1] [-notice BP2] [-strict] [-v] spec.csv
//
// To run the demo on one machine, with two backplanes told apart by their
// ports (spec.csv in this directory describes them):
//
//	banyan backplane -p 43124 -s 43125 &
//	banyan backplane -p 43126 -s 43127 &
//	go run ./examples/multi-echo examples/multi-echo/spec.csv &
//	banyan monitor -p 43126 -s 43127 -t notice &   # the notifier's view of BP2
//	banyan echo-client -p 43124 -s 43125          # ten echoes, then a notice on BP2
//
// Python's notifier.py or simple_echo_client.py work as well, started with
// the same ports. Python's spec subscribes the server to "[notice]" on BP2,
// which only makes it receive its own notices; ours says "[]", which here
// means no topic (in Python it means every topic).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/multi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "multi-echo:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program; it returns when ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("multi-echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("n", "MultiEchoServer", "component name (for logs)")
	echoBP := fs.String("echo", "BP1", "backplane to echo on")
	noticeBP := fs.String("notice", "BP2", "backplane to send the notice to")
	strict := fs.Bool("strict", false, "reject the spec's topic lists as Python does (spaces around topics)")
	verbose := fs.Bool("v", false, "log connection events")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: multi-echo [flags] spec.csv")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one routing spec file")
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	opts := []multi.Option{
		multi.WithName(*name),
		multi.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
	}
	if *strict {
		opts = append(opts, multi.WithStrict())
	}
	spec, err := multi.ReadSpec(fs.Arg(0), opts...)
	if err != nil {
		return err
	}
	// Refuse a spec that cannot do the job before connecting anything.
	subscribe, err := check(spec, *echoBP, *noticeBP)
	if err != nil {
		return err
	}
	m, err := multi.Open(ctx, spec, opts...)
	if err != nil {
		return err
	}
	defer m.Close()
	if subscribe {
		if err := m.SubscribeSync(ctx, *echoBP, "echo"); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s ready: echo on %s, notice to %s\n", *name, *echoBP, *noticeBP)

	err = m.Run(ctx, func(bp string, msg *banyan.Message) {
		if bp != *echoBP || msg.Topic != "echo" {
			return
		}
		m.PublishRaw(*echoBP, "reply", msg.Payload)
		var v struct {
			N *int64 `msgpack:"message_number"`
		}
		if err := msg.Decode(&v); err != nil || v.N == nil {
			fmt.Fprintln(stdout, "echoed a message without a message_number")
			return
		}
		fmt.Fprintln(stdout, "Message number:", *v.N)
		if *v.N == 0 {
			m.Publish(*noticeBP, "notice", map[string]any{"message": "got it", "id": "b"})
		}
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// check makes sure the echo backplane has both ports and the notice
// backplane a publisher port. subscribe says that the spec does not
// subscribe the echo backplane to "echo" itself.
func check(spec *multi.Spec, echoBP, noticeBP string) (subscribe bool, err error) {
	rows := map[string]multi.Backplane{}
	for _, b := range spec.Backplanes {
		rows[b.Name] = b
	}
	e, ok := rows[echoBP]
	switch {
	case !ok:
		return false, fmt.Errorf("echo backplane %q: %w", echoBP, multi.ErrUnknownBackplane)
	case e.SubscriberPort == 0:
		return false, fmt.Errorf("echo backplane %q: %w", echoBP, multi.ErrNoSubscriber)
	case e.PublisherPort == 0:
		return false, fmt.Errorf("echo backplane %q: %w", echoBP, multi.ErrNoPublisher)
	}
	n, ok := rows[noticeBP]
	switch {
	case !ok:
		return false, fmt.Errorf("notice backplane %q: %w", noticeBP, multi.ErrUnknownBackplane)
	case n.PublisherPort == 0:
		return false, fmt.Errorf("notice backplane %q: %w", noticeBP, multi.ErrNoPublisher)
	}
	return !slices.Contains(e.Topics, "echo"), nil
}
