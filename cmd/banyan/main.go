// Command banyan is the whole Banyan toolset in one binary, wire-compatible
// with Python Banyan:
//
//   - backplane: the hub components publish to and subscribe from;
//   - monitor, pub, sub: watch the bus (with --stats, rates per topic),
//     publish and print messages;
//   - echo-server, echo-client, demo: the echo example;
//   - gateway: a OneGPIO gateway serving a simulated board;
//   - mqtt, tcp, ws: the MQTT, microcontroller TCP and browser WebSocket
//     bridges;
//   - record, replay: crash-safe recording and paced replay;
//   - launch, launch-client, killall: the launcher (bls, blc, blk);
//   - bench: load generators and forwarder benchmarks.
//
// Each command is one file here, wiring flags to a library package; run
// "banyan help <command>" for its flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gobanyan/banyan/launch"
	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "banyan:", withFlagHint(err))
		stop()
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "banyan",
		Short:         "Banyan pub/sub: backplane, tools and gateways, wire-compatible with Python Banyan",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newBackplaneCmd())
	root.AddCommand(newBenchCmd())
	root.AddCommand(newMonitorCmd(), newPubCmd(), newSubCmd())
	root.AddCommand(newEchoServerCmd(), newEchoClientCmd(), newDemoCmd())
	root.AddCommand(newGatewayCmd())
	root.AddCommand(newRecordCmd(), newReplayCmd())
	root.AddCommand(newMQTTCmd(), newTCPCmd(), newWSCmd())
	root.AddCommand(newLaunchCmd(), newLaunchClientCmd(), newKillallCmd())
	return root
}

// withFlagHint adds the flags that fix err when a library error names
// only its option (the launch package's sentinels name Auth fields).
func withFlagHint(err error) error {
	switch {
	case errors.Is(err, launch.ErrNoSecret):
		return fmt.Errorf("%w: give --secret, --secret-file or $%s, or --insecure-python-compat", err, launch.EnvSecret)
	case errors.Is(err, launch.ErrUnsigned):
		return fmt.Errorf("%w: --insecure-python-compat accepts them", err)
	}
	return err
}
