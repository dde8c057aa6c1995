package main

import "github.com/spf13/cobra"

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks: forwarder throughput and CPU, component throughput and latency",
	}
	cmd.AddCommand(newBenchForwardCmd(), newBenchThroughputCmd())
	return cmd
}
