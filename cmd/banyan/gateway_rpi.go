package main

import "github.com/spf13/cobra"

// newGatewayRPiCmd is a placeholder, replaced by the rpi gateway's command.
func newGatewayRPiCmd() *cobra.Command {
	return &cobra.Command{Use: "rpi", Short: "rpi gateway (not built yet)", Hidden: true, Args: cobra.NoArgs}
}
