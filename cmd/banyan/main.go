// Command banyan is the whole Banyan toolset in one binary: the backplane,
// and (as they land) the monitor, launcher, gateways and benchmarks.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "banyan:", err)
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
