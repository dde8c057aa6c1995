package backplane_test

import (
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
)

// The backplane's reserved space is the component library's.
func TestReservedPrefixIsBanyans(t *testing.T) {
	if backplane.ReservedPrefixForTest != banyan.ReservedPrefix {
		t.Fatalf("backplane reserves %q, banyan %q", backplane.ReservedPrefixForTest, banyan.ReservedPrefix)
	}
}
