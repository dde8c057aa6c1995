package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
)

func newInstallLinksCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "install-links [DIR]",
		Short: "Make Python Banyan's command names (backplane, monitor, bls, ...) links to this binary",
		Long: `Create symbolic links named as Python Banyan's scripts (backplane,
monitor, bls, blc, blk, mgw, tgw and wsgw) that point to this binary, in DIR
(default: the directory this binary is in). Run under such a name, banyan runs
that tool with Python's flags ("backplane -n x" is "banyan backplane -n x";
bls is launch, blc launch-client, blk killall, mgw mqtt, tgw tcp, wsgw ws),
so launch files and scripts written for Python Banyan work unchanged.

A link that already points to this binary is left alone, so running it again
is harmless, and so is this binary itself when it has one of these names. A
name that is taken by anything else (a file, such as Python's pip-installed
script, or a link to another program) is refused and nothing is made, unless
--force, which replaces files and links (never directories).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			exe, err := selfPath()
			if err != nil {
				return err
			}
			dir := filepath.Dir(exe)
			if len(args) == 1 {
				dir = args[0]
			}
			return installLinks(cmd.OutOrStdout(), exe, dir, force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace files and links to other programs that have these names (directories are never replaced)")
	return cmd
}

// selfPath is the path of this binary with links resolved: the binary
// itself even when run as a Python name (a link), on systems where
// os.Executable gives the link, so that "<selfPath> backplane" is always
// the backplane command.
func selfPath() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("finding this binary: %w", err)
	}
	return exe, nil
}

// linkPlan is what installLinks does with one name.
type linkPlan struct {
	path    string
	replace bool // something else is there (only with force)
}

// installLinks makes a link to exe in dir for each of pythonNames. It
// looks at every name before it changes anything: unless force, one name
// taken by something other than a link to exe refuses them all. A name
// that is exe itself is never replaced.
func installLinks(w io.Writer, exe, dir string, force bool) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("install-links: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("install-links: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("install-links: %s is not a directory", dir)
	}
	self, err := os.Stat(exe)
	if err != nil {
		return fmt.Errorf("install-links: %w", err)
	}
	suffix := ""
	if runtime.GOOS == "windows" {
		suffix = ".exe"
	}
	var plans []linkPlan
	var conflicts []string
	for _, name := range pythonNames() {
		path := filepath.Join(dir, name+suffix)
		what, is, err := describe(path, exe, self)
		switch {
		case err != nil:
			return fmt.Errorf("install-links: %w", err)
		case is == linkToExe:
			fmt.Fprintf(w, "%s: already a link to %s\n", path, exe)
		case is == exeItself:
			fmt.Fprintf(w, "%s: this binary itself, left alone (run as %s, it is that tool)\n", path, name)
		case is == nothing:
			plans = append(plans, linkPlan{path: path})
		case force && !strings.HasPrefix(what, "a directory"):
			plans = append(plans, linkPlan{path: path, replace: true})
		default:
			conflicts = append(conflicts, fmt.Sprintf("%s is %s", path, what))
		}
	}
	if len(conflicts) > 0 {
		hint := " (--force replaces it)"
		if force {
			hint = ""
		}
		return fmt.Errorf("install-links: not replacing what is there, nothing changed%s:\n  %s", hint, strings.Join(conflicts, "\n  "))
	}
	for _, p := range plans {
		if err := link(exe, p); err != nil {
			return fmt.Errorf("install-links: %w", err)
		}
		verb := "linked"
		if p.replace {
			verb = "replaced with a link"
		}
		fmt.Fprintf(w, "%s: %s to %s\n", p.path, verb, exe)
	}
	return nil
}

// pathKind is what describe found at a path.
type pathKind int

const (
	nothing   pathKind = iota // no such path
	linkToExe                 // a link that resolves to the binary
	exeItself                 // the binary itself (or a hard link to it)
	other                     // anything else
)

// describe says what is at path, given self, the binary's (exe's) file
// info: what it is, for a message, when it is other.
func describe(path, exe string, self os.FileInfo) (what string, is pathKind, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nothing, nil
	}
	if err != nil {
		return "", other, err
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return "", other, err
		}
		// Compared as files, not as paths: a relative link ("backplane ->
		// banyan") or one through another link is ours too.
		if resolved, err := os.Stat(path); err == nil && os.SameFile(resolved, self) {
			return "", linkToExe, nil
		}
		return fmt.Sprintf("a link to %s, not to %s", target, exe), other, nil
	case os.SameFile(fi, self):
		return "", exeItself, nil
	case fi.IsDir():
		return "a directory", other, nil
	case fi.Mode().IsRegular():
		return fmt.Sprintf("a file (%d bytes; Python Banyan's script?)", fi.Size()), other, nil
	}
	return fmt.Sprintf("a %v", fi.Mode().Type()), other, nil
}

// link makes p.path a link to exe; a replacement is made beside it, under
// a name of its own that nothing else has, and renamed over it, so the
// name never goes missing.
func link(exe string, p linkPlan) error {
	if !p.replace {
		return os.Symlink(exe, p.path)
	}
	var tmp string
	for i := 0; ; i++ {
		tmp = p.path + ".banyan-link-" + rand.Text()[:12]
		err := os.Symlink(exe, tmp)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i == 10 {
			return err
		}
	}
	if err := os.Rename(tmp, p.path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
