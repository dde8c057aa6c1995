package msgjson

// Defaults of Options.
const (
	// DefaultMaxDepth is the default Options.MaxDepth. It is below the
	// limits of Python's msgpack unpacker and of the Banyan codec
	// (banyan.MaxNesting, 1024), so what AppendMsgpack writes can be read
	// by both.
	DefaultMaxDepth = 1000
	// DefaultMaxSize is the default Options.MaxSize: 64 MiB, the largest
	// Banyan message a component accepts by default.
	DefaultMaxSize = 64 << 20
)

// Options set the limits and the form of a conversion. The zero value
// means the defaults: DefaultMaxDepth, DefaultMaxSize, map keys in input
// order.
type Options struct {
	// MaxDepth is the deepest nesting of arrays and objects (maps)
	// accepted: a top-level array or object is depth 1, an empty one
	// counts as well. 0 or less means DefaultMaxDepth.
	MaxDepth int
	// MaxSize is the longest input accepted, in bytes. 0 or less means
	// DefaultMaxSize.
	MaxSize int

	// SortKeys (AppendJSON only) writes each map's keys sorted by their
	// bytes, and of a key that appears more than once only the last
	// entry, as encoding/json writes a map[string]any that
	// banyan.DecodeValue returned. Without it keys keep their order and
	// every entry is written.
	SortKeys bool
	// Field (AppendJSON only), when not nil, is offered every entry of a
	// top-level map that is written: key is the key's bytes and value the
	// raw msgpack of its value, both aliasing the input. To write the
	// value itself, Field appends JSON to dst and returns it with true; it
	// returns false to leave the value to AppendJSON. What it appends is
	// not checked.
	Field func(dst, key, value []byte) ([]byte, bool)
}

// limits returns the effective MaxDepth and MaxSize.
func (o *Options) limits() (maxDepth, maxSize int) {
	maxDepth, maxSize = o.MaxDepth, o.MaxSize
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	return maxDepth, maxSize
}
