package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// withNargs is RunE for a command with DisableFlagParsing: it parses the
// flags with parseNargs, shows the help for -h, and otherwise runs run.
func withNargs(run func(*cobra.Command) error, multi ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := parseNargs(cmd, args, multi...); err != nil {
			return err
		}
		if help, _ := cmd.Flags().GetBool("help"); help {
			return cmd.Help()
		}
		return run(cmd)
	}
}

// parseNargs parses args into cmd's flags (for commands with
// DisableFlagParsing), accepting Python argparse's nargs='+' form
// ("-g a b") for the named multi-value flags, and refusing positional
// arguments.
func parseNargs(cmd *cobra.Command, args []string, multi ...string) error {
	fs := cmd.Flags()
	if err := fs.Parse(expandNargs(args, fs, multi...)); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// expandNargs rewrites "-g a b" as "-g a --banyan-topics b" for the named
// multi-value flags.
func expandNargs(args []string, fs *pflag.FlagSet, multi ...string) []string {
	out := make([]string, 0, len(args))
	cur := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			if cur != "" {
				out = append(out, "--"+cur)
			}
			out = append(out, a)
			continue
		}
		out = append(out, a)
		cur = ""
		var f *pflag.Flag
		attached := false
		if name, ok := strings.CutPrefix(a, "--"); ok {
			name, _, attached = strings.Cut(name, "=")
			f = fs.Lookup(name)
		} else {
			f = fs.ShorthandLookup(a[1:2])
			attached = len(a) > 2
		}
		if f == nil {
			continue
		}
		for _, m := range multi {
			if f.Name == m {
				cur = m
			}
		}
		if !attached && f.NoOptDefVal == "" && i+1 < len(args) {
			out = append(out, args[i+1]) // the flag's value
			i++
		}
	}
	return out
}
