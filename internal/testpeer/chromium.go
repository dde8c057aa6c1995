package testpeer

import (
	"os/exec"
	"testing"
)

// Chromium returns the path of Debian's chromium (the web view's browser
// tests drive it through chromedp), or skips/fails the test when it is
// not installed or does not start.
func Chromium(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		missing(t, "chromium: %v", err)
	}
	if out, err := exec.Command(p, "--version").CombinedOutput(); err != nil {
		missing(t, "%s --version: %v: %s", p, err, out)
	}
	return p
}
