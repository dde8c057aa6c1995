package echo

import (
	"slices"
	"testing"
)

// The numbers Python's echo_cmdline_client sends for -m m.
func TestNumbers(t *testing.T) {
	for m, want := range map[int][]int{0: {0}, 1: {1}, 2: {2, 0}, 3: {3, 1, 0}, 10: {10, 8, 7, 6, 5, 4, 3, 2, 1, 0}} {
		if got := Numbers(m); !slices.Equal(got, want) {
			t.Errorf("Numbers(%d) = %v, want %v", m, got, want)
		}
	}
}
