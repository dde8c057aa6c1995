// Package testbp is the shared scaffolding of the module's tests: an
// in-process backplane on free loopback ports, free ports, a quiet logger,
// a goroutine-safe output buffer and bounded waits.
//
// It is ordinary (non-test) code so that any package's tests can import it,
// but it belongs to tests only: every helper takes a testing.TB and fails
// the test on error. It imports the root package banyan and the backplane
// package, so their own tests (and internal/zmtp's) cannot use it.
//
// A typical test:
//
//	bp := testbp.Start(t, backplane.Options{})   // stopped by t.Cleanup
//	c := bp.Connect(t, banyan.WithSubscriptions("reply"))
//	c.Publish("echo", map[string]any{"n": 1})
//	m := testbp.Next(t, c)
//
// and for a command-line program:
//
//	var out testbp.Buffer
//	cmd.SetOut(&out)
//	cmd.SetArgs(append([]string{"monitor"}, bp.Args()...))
//	go cmd.ExecuteContext(ctx)
//	out.WaitFor(t, "ready")
//
// Waits are bounded by Patience only so that a broken test cannot hang;
// no helper asserts how long anything takes.
package testbp
