package main

import "github.com/spf13/cobra"

// newGatewayESP8266Cmd is a placeholder, replaced by the esp8266 gateway's command.
func newGatewayESP8266Cmd() *cobra.Command {
	return &cobra.Command{Use: "esp8266", Short: "esp8266 gateway (not built yet)", Hidden: true, Args: cobra.NoArgs}
}
