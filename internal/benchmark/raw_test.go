package benchmark

import (
	"testing"

	"github.com/gobanyan/banyan"
)

func BenchmarkThroughputRaw(b *testing.B) {
	d, p := decodeHook, publishHook
	defer func() { decodeHook, publishHook = d, p }()
	payload := []byte{0x81, 0xa3, 'm', 's', 'g', 0x05}
	decodeHook = func(*banyan.Message, *benchMsg) error { return nil }
	publishHook = func(c *banyan.Component, v benchMsg) error { return c.PublishRaw("test", payload) }
	BenchmarkThroughput(b)
}
