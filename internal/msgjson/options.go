package msgjson

// Defaults of Options.
const (
	// DefaultMaxDepth is the default Options.MaxDepth. It is below the
	// limits of Python's msgpack unpacker and of the Banyan codec
	// (banyan.MaxNesting, 1024), so what AppendMsgpack writes can be read
	// by both.
	DefaultMaxDepth = 1000
	// DefaultMaxSize is the default Options.MaxSize: 64 MiB. Callers that
	// convert whole Banyan messages (up to 256 MiB by default) set their
	// own.
	DefaultMaxSize = 64 << 20
)

// Options set the limits and the form of a conversion. The zero value
// means the defaults: DefaultMaxDepth, DefaultMaxSize, map keys in input
// order, compact text as encoding/json writes it, bin as base64 strings,
// NaN and the infinities as null, ext refused.
type Options struct {
	// MaxDepth is the deepest nesting of arrays and objects (maps)
	// accepted: a top-level array or object is depth 1, an empty one
	// counts as well. 0 or less means DefaultMaxDepth.
	MaxDepth int
	// MaxSize is the longest input accepted, in bytes. 0 or less means
	// DefaultMaxSize.
	MaxSize int

	// Style (AppendJSON only) is the form of the text: Compact or
	// PythonDumps.
	Style Style
	// Bin says how msgpack bin is written (AppendJSON) and whether
	// {"$bin": "<base64>"} is read as bin (AppendMsgpack, BinObject only).
	Bin Bin
	// NonFinite says how NaN and the infinities are written (AppendJSON)
	// and whether the tokens NaN, Infinity and -Infinity are read
	// (AppendMsgpack, NonFiniteLiteral only).
	NonFinite NonFinite
	// Ext (AppendJSON only) says how msgpack ext values are written.
	Ext Ext
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
	// Map (AppendJSON only), when not nil, is offered every map, at any
	// depth, once AppendJSON has written it (inner maps first): dst ends
	// where the map's text would start and m is the map's raw msgpack,
	// aliasing the input, already checked. To write the map itself, Map
	// appends JSON to dst and returns it with true (what it appends is not
	// checked); false keeps AppendJSON's text. The msgpack-numpy arrays
	// of internal/render are written so.
	Map func(dst, m []byte) ([]byte, bool)
	// BinKey (AppendJSON only), when not nil, gives the text of the string
	// written for a bin map key: it appends it to buf (a scratch buffer)
	// and returns it, and the string is written in the text's Style.
	// Without it the text is the key's bytes. internal/render writes
	// Python's repr of the bytes (b'nd').
	BinKey func(buf, key []byte) []byte
}

// Style is the form of AppendJSON's text.
type Style uint8

const (
	// Compact is encoding/json's text (SetEscapeHTML(false)): no spaces,
	// UTF-8 as it is, floats in encoding/json's shortest form (1, 1e+21).
	Compact Style = iota
	// PythonDumps is Python's json.dumps with its defaults: separators
	// ", " and ": ", everything beyond ASCII escaped as \uXXXX
	// (ensure_ascii), floats as Python's repr (1.0, 1e+16, 1e-05).
	PythonDumps
)

// Bin is how msgpack bin (Python bytes) is carried in JSON.
type Bin uint8

const (
	// BinBase64 writes bin as a base64 string (standard alphabet,
	// padded), which atob() in a browser reads. AppendMsgpack has no way
	// to tell such a string from text: it stays a str.
	BinBase64 Bin = iota
	// BinObject writes bin as {"$bin": "<base64>"}; AppendMsgpack reads
	// an object whose only key is "$bin" back as bin (its value must then
	// be padded standard base64, else ErrSyntax).
	BinObject
	// BinRefuse refuses bin values and bin map keys with ErrUnsupported,
	// as Python's json.dumps raises on bytes.
	BinRefuse
)

// NonFinite is how NaN, +Inf and -Inf are carried in JSON, which has no
// numbers for them.
type NonFinite uint8

const (
	// NonFiniteNull writes null, as JSON.stringify does.
	NonFiniteNull NonFinite = iota
	// NonFiniteRefuse refuses them with ErrUnsupported.
	NonFiniteRefuse
	// NonFiniteString writes the JSON strings "NaN", "Infinity" and
	// "-Infinity". AppendMsgpack reads those back as strings.
	NonFiniteString
	// NonFiniteLiteral writes the bare tokens NaN, Infinity and
	// -Infinity, as Python's json.dumps does; they are not JSON, and
	// JSON.parse refuses them. AppendMsgpack then reads them too, as
	// Python's json.loads does, as float64.
	NonFiniteLiteral
)

// Ext is how msgpack ext values are carried in JSON.
type Ext uint8

const (
	// ExtRefuse refuses ext values with ErrUnsupported.
	ExtRefuse Ext = iota
	// ExtObject writes {"$ext": [<type>, "<base64 of the data>"]}.
	ExtObject
)

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
