// Command banyan is the whole Banyan toolset in one binary, wire-compatible
// with Python Banyan:
//
//   - backplane: the hub components publish to and subscribe from;
//   - monitor, pub, sub: watch the bus (with --stats, rates per topic),
//     publish and print messages;
//   - echo-server, echo-client, demo: the echo example;
//   - gateway: a OneGPIO gateway serving a simulated board;
//   - mqtt, nats, tcp, ws: the MQTT, NATS, microcontroller TCP and
//     browser WebSocket bridges;
//   - record, replay: crash-safe recording and paced replay;
//   - launch, launch-client, killall: the launcher (bls, blc, blk);
//   - bench: load generators and forwarder benchmarks;
//   - web: the live web view as a component (backplane --http serves it
//     beside our backplane);
//   - keygen: CURVE key pairs as czmq certificate files.
//
// Each command is one file here, wiring flags to a library package; run
// "banyan help <command>" for its flags.
//
// Run under one of Python Banyan's script names (backplane, monitor, bls,
// blc, blk, mgw, tgw, wsgw: the links "banyan install-links" makes), it
// runs that tool, taking Python's flags: "backplane -n x" is "banyan
// backplane -n x".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gobanyan/banyan/launch"
	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newCommand(os.Args[0], os.Args[1:])
	if err := root.ExecuteContext(ctx); err != nil && !interrupted(ctx, err) {
		fmt.Fprintln(os.Stderr, "banyan:", withFlagHint(err))
		stop()
		os.Exit(1)
	}
}

// interrupted tells whether err is only the signal's cancellation: a tool
// stopped by Ctrl-C or SIGTERM before it was up (waiting for its backplane,
// say) ends as one stopped while it runs, quietly with status 0, as
// Python's components do.
func interrupted(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, context.Canceled)
}

// pythonTool returns the command that Python Banyan's script name stands
// for, and false for any other name.
func pythonTool(name string) (string, bool) {
	switch name {
	case "backplane", "monitor":
		return name, true
	case "bls":
		return "launch", true
	case "blc":
		return "launch-client", true
	case "blk":
		return "killall", true
	case "mgw":
		return "mqtt", true
	case "tgw":
		return "tcp", true
	case "wsgw":
		return "ws", true
	}
	return "", false
}

// pythonNames are Python Banyan's script names, in the order
// install-links makes them.
func pythonNames() []string {
	return []string{"backplane", "monitor", "bls", "blc", "blk", "mgw", "tgw", "wsgw"}
}

// progName is the name the program was run under: argv0's last element
// without ".exe".
func progName(argv0 string) string {
	base := filepath.Base(argv0)
	if len(base) > 4 && strings.EqualFold(base[len(base)-4:], ".exe") {
		base = base[:len(base)-4]
	}
	return base
}

// newCommand returns the root command, set to run args as the program
// named argv0 was asked to (see dispatch).
func newCommand(argv0 string, args []string) *cobra.Command {
	root := newRootAs(progName(argv0))
	root.SetArgs(dispatch(argv0, args))
	return root
}

// dispatch returns the root command's arguments for a program named argv0
// given args: under a Python name (pythonTool) args are that tool's, as if
// "banyan <tool>" had been typed; under any other name they are the root's.
func dispatch(argv0 string, args []string) []string {
	if tool, ok := pythonTool(progName(argv0)); ok {
		return append([]string{tool}, args...)
	}
	return args
}

// newRoot is the root command as "banyan".
func newRoot() *cobra.Command { return newRootAs("banyan") }

// newRootAs is the root command for the program named prog (progName): a
// few defaults follow Python's tool when it runs under that tool's name
// (wsgw's --origin).
func newRootAs(prog string) *cobra.Command {
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
	root.AddCommand(newMQTTCmd(), newNATSCmd(), newTCPCmd(), newWSCmd(prog == "wsgw"))
	root.AddCommand(newLaunchCmd(), newLaunchClientCmd(), newKillallCmd())
	root.AddCommand(newInstallLinksCmd())
	root.AddCommand(newWebCmd(), newKeygenCmd())
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
