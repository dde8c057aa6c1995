package gpiocdev

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Chips returns the paths of the GPIO chips under dir ("/dev" on a real
// system), in number order: /dev/gpiochip0, /dev/gpiochip1, ...
func Chips(dir string) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, "gpiochip*"))
	num := func(p string) int {
		n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "gpiochip"))
		if err != nil {
			return -1
		}
		return n
	}
	paths = slices.DeleteFunc(paths, func(p string) bool { return num(p) < 0 })
	slices.SortFunc(paths, func(a, b string) int { return num(a) - num(b) })
	return paths
}
