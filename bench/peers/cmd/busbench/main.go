// Command busbench runs the same load against four buses side by side:
// our backplane, Python Banyan's (libzmq), NATS and mosquitto (MQTT). See
// doc.go for the roles and bench/scaling.sh for the curves made with it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage:
  busbench run -bus banyan|libzmq|nats|mqtt [-pubs N -subs N -size B -msgs N|-duration D -rate R -subscriptions N] [-csv|-json] [-no-header]
  busbench idle -bus banyan|libzmq|nats|mqtt -conns N [-seconds S] [-csv|-json] [-no-header]
  busbench table -in results.csv -by COLUMN -metric METRIC [-metric METRIC ...]
  busbench plot -in results.csv -x COLUMN -y METRIC [-logx] [-logy] -title T -out FILE.png
  busbench nats-server -port N
run "busbench ROLE -h" for a role's flags`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "busbench:", err)
		os.Exit(1)
	}
}

// run dispatches to a role.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no role\n%s", usage)
	}
	roles := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"run":         runRole,
		"idle":        idleRole,
		"table":       tableRole,
		"plot":        plotRole,
		"nats-server": natsServerRole,
	}
	role, ok := roles[args[0]]
	if !ok {
		return fmt.Errorf("unknown role %q\n%s", args[0], usage)
	}
	return role(ctx, args[1:], stdout, stderr)
}
