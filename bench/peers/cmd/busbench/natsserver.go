package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/gobanyan/banyan/bench/peers/internal/natsbus"
)

// natsServerRole serves NATS on 127.0.0.1 until ctx ends (SIGTERM).
func natsServerRole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nats-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "127.0.0.1", "interface to listen on")
	port := fs.Int("port", 4222, "port to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := natsbus.Serve(*host, *port)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ready")
	<-ctx.Done()
	s.Shutdown()
	s.WaitForShutdown()
	return nil
}
