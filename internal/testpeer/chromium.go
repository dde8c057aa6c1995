package testpeer

import (
	"os"
	"os/exec"
	"testing"
)

// DebianChromium is where Debian's chromium package installs the browser
// (a wrapper script that starts it with Debian's flags).
const DebianChromium = "/usr/bin/chromium"

// Chromium returns the path of Debian's chromium, for browser tests driven
// with chromedp (chromedp.ExecPath), after checking that it runs
// (`chromium --version`).
func Chromium(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(DebianChromium); err != nil {
		missing(t, "%s (Debian's chromium): %v", DebianChromium, err)
	}
	if out, err := exec.Command(DebianChromium, "--version").CombinedOutput(); err != nil {
		missing(t, "%s --version: %v: %s", DebianChromium, err, out)
	}
	return DebianChromium
}
