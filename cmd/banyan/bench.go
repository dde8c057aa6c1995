package main

import "github.com/spf13/cobra"

func newBenchCmd() *cobra.Command {
	cmd := newBenchRunCmd()
	cmd.AddCommand(newBenchForwardCmd(), newBenchThroughputCmd())
	return cmd
}
