package main

import "github.com/spf13/cobra"

// newGatewayArduinoCmd is a placeholder, replaced by the arduino gateway's command.
func newGatewayArduinoCmd() *cobra.Command {
	return &cobra.Command{Use: "arduino", Short: "arduino gateway (not built yet)", Hidden: true, Args: cobra.NoArgs}
}
