package pyrepr

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// mp builds msgpack bytes by hand, in any encoding (also the non-minimal
// ones other encoders produce).
type mp []byte

func (b mp) raw(p ...byte) mp { return append(b, p...) }
func (b mp) be(n uint64, size int) mp {
	for i := size - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*uint(i))))
	}
	return b
}
func (b mp) nil() mp { return append(b, 0xc0) }
func (b mp) bool(v bool) mp {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}
func (b mp) f64(f float64) mp { return b.raw(0xcb).be(math.Float64bits(f), 8) }
func (b mp) f32(f float32) mp { return b.raw(0xca).be(uint64(math.Float32bits(f)), 4) }

// uint and int write a value with the given msgpack code (0xcc..0xd3).
func (b mp) uint(code byte, v uint64) mp { return b.raw(code).be(v, 1<<(code-0xcc)) }
func (b mp) int(code byte, v int64) mp   { return b.raw(code).be(uint64(v), 1<<(code-0xd0)) }

// num writes an integer the smallest way, as Python packs it.
func (b mp) num(v int64) mp {
	switch {
	case v >= 0 && v <= 127, v >= -32 && v < 0:
		return append(b, byte(v))
	case v >= 0 && v <= math.MaxUint8:
		return b.uint(0xcc, uint64(v))
	case v >= 0 && v <= math.MaxUint16:
		return b.uint(0xcd, uint64(v))
	case v >= 0 && v <= math.MaxUint32:
		return b.uint(0xce, uint64(v))
	case v >= 0:
		return b.uint(0xcf, uint64(v))
	case v >= math.MinInt8:
		return b.int(0xd0, v)
	case v >= math.MinInt16:
		return b.int(0xd1, v)
	case v >= math.MinInt32:
		return b.int(0xd2, v)
	}
	return b.int(0xd3, v)
}

// str writes s as fixstr/str8/str16/str32, the smallest that fits.
func (b mp) str(s string) mp {
	switch n := len(s); {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = b.raw(0xd9, byte(n))
	case n <= math.MaxUint16:
		b = b.raw(0xda).be(uint64(n), 2)
	default:
		b = b.raw(0xdb).be(uint64(n), 4)
	}
	return append(b, s...)
}

// strAs writes s with a given str code (0xd9, 0xda, 0xdb).
func (b mp) strAs(code byte, s string) mp {
	return append(b.raw(code).be(uint64(len(s)), 1<<(code-0xd9)), s...)
}

func (b mp) bin(p []byte) mp {
	switch n := len(p); {
	case n <= math.MaxUint8:
		b = b.raw(0xc4, byte(n))
	case n <= math.MaxUint16:
		b = b.raw(0xc5).be(uint64(n), 2)
	default:
		b = b.raw(0xc6).be(uint64(n), 4)
	}
	return append(b, p...)
}

func (b mp) binAs(code byte, p []byte) mp {
	return append(b.raw(code).be(uint64(len(p)), 1<<(code-0xc4)), p...)
}

func (b mp) arr(n int) mp {
	switch {
	case n < 16:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		return b.raw(0xdc).be(uint64(n), 2)
	}
	return b.raw(0xdd).be(uint64(n), 4)
}

func (b mp) dict(n int) mp {
	switch {
	case n < 16:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		return b.raw(0xde).be(uint64(n), 2)
	}
	return b.raw(0xdf).be(uint64(n), 4)
}

// ext writes an ext value: fixext for 1, 2, 4, 8, 16 bytes, else ext8/16/32.
func (b mp) ext(code int8, data []byte) mp {
	switch n := len(data); n {
	case 1, 2, 4, 8, 16:
		fix := map[int]byte{1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8}[n]
		b = b.raw(fix, byte(code))
	default:
		switch {
		case n <= math.MaxUint8:
			b = b.raw(0xc7, byte(n), byte(code))
		case n <= math.MaxUint16:
			b = b.raw(0xc8).be(uint64(n), 2).raw(byte(code))
		default:
			b = b.raw(0xc9).be(uint64(n), 4).raw(byte(code))
		}
	}
	return append(b, data...)
}

// sample is one corpus payload. pyRaises says that Python Banyan's
// receive loop raises on it (its monitor dies); the lenient decoding of
// testdata/pyprint.py is then what ours must match.
type sample struct {
	name     string
	payload  []byte
	pyRaises bool // in Plain mode
	npRaises bool // in Numpy mode
}

func one(name string, b mp) sample { return sample{name: name, payload: b} }

// plainCorpus is the corpus of hand-built payloads.
func plainCorpus() []sample {
	var c []sample
	add := func(name string, b mp) { c = append(c, one(name, b)) }
	raises := func(name string, b mp) { c = append(c, sample{name: name, payload: b, pyRaises: true}) }

	// Floats: every edge of repr's two notations, float32 widened.
	floats := []float64{0, math.Copysign(0, -1), 5e-324, 2.225073858507201e-308, 2.2250738585072014e-308,
		1e16, 9999999999999998, 9007199254740992, 9007199254740994, 1e-5, 1e-4, 0.0001234, 9.999999999999999e-05,
		1e22, 1e23, 0.1, 1.0 / 3, 2.0 / 3, math.MaxFloat64, -math.MaxFloat64, math.NaN(), math.Float64frombits(0xfff8000000000001),
		math.Inf(1), math.Inf(-1), 1e6, 1e15, 123456789012345680, 1.5e-7, 100, 1e-7, 0.5, -2.5, 1e300, 1.7e-300, 12345.678}
	for _, f := range floats {
		add("float "+fmtG(f), mp{}.f64(f))
	}
	add("floats in a list", func() mp {
		b := mp{}.arr(len(floats))
		for _, f := range floats {
			b = b.f64(f)
		}
		return b
	}())
	for _, f := range []float32{0.1, 1e-5, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(-1)), float32(math.NaN()), float32(math.Copysign(0, -1)), 16777217, 3.14159} {
		add("float32 "+fmtG(float64(f)), mp{}.f32(f))
	}

	// Integers: every wire width at its boundaries, and non-minimal forms.
	ints := []int64{0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, math.MaxInt64, -1, -32, -33, -128, -129,
		-32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64, 9007199254740993}
	for _, v := range ints {
		add("int "+itoa64(v), mp{}.num(v))
	}
	add("uint64 2**63", mp{}.uint(0xcf, 1<<63))
	add("uint64 2**64-1", mp{}.uint(0xcf, math.MaxUint64))
	add("uint8 5", mp{}.uint(0xcc, 5))
	add("uint64 0", mp{}.uint(0xcf, 0))
	add("int8 100", mp{}.int(0xd0, 100))
	add("int16 -1", mp{}.int(0xd1, -1))
	add("int64 1", mp{}.int(0xd3, 1))
	add("int32 max", mp{}.int(0xd2, math.MaxInt32))
	add("ints in a map", mp{}.dict(3).str("a").uint(0xcd, 7).str("b").int(0xd2, -7).str("c").uint(0xcf, math.MaxUint64))

	// str: escapes, quotes, printable and non-printable Unicode.
	strs := []string{"", "hello", "it's", `say "hi"`, `both ' and "`, `back\slash`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f",
		"\u0080\u0085\u009f", "\u00a0nbsp", "soft\u00adhyphen", "caf\u00e9", "e\u0301", "\u0301", "zw\u200bsp", "\u2028\u2029",
		"\u3000ideographic", "\ufeffbom", "\ufffd", "\uffff", "\ufffe", "\ue000\uf8ff", "\U000f0000\U0010fffd", "\U0010ffff",
		"\U0001f600 smile", "\U0001d400", "\U000e0001tag", "\U00010000", "\U0001f1e6\U0001f1ea", "\u0378", "\u05d0\u0628\u0627",
		"\u4e2d\u6587", "\ud55c\uae00", "\u200e\u200f\u202a", "\u0600\u061c", "\u1680", "\u2060\u2064", "\U0001bca0",
		"\U000e0100", "'", `"`, `\`, "\x1b[31mred", strings.Repeat("long ", 60)}
	for _, s := range strs {
		add("str "+s, mp{}.str(s))
	}
	add("str8 short", mp{}.strAs(0xd9, "abc"))
	add("str16 short", mp{}.strAs(0xda, "abc"))
	add("str32 short", mp{}.strAs(0xdb, "abc"))
	add("strs in a list", func() mp {
		b := mp{}.arr(len(strs))
		for _, s := range strs {
			b = b.str(s)
		}
		return b
	}())
	add("all BMP control and format chars", func() mp {
		var sb strings.Builder
		for r := rune(0); r < 0x3000; r++ {
			if r >= 0xd800 && r <= 0xdfff {
				continue
			}
			if r < 0x100 || r >= 0x2000 && r < 0x2070 || r >= 0x0600 && r < 0x0700 {
				sb.WriteRune(r)
			}
		}
		return mp{}.str(sb.String())
	}())

	// bytes: every byte value, quotes, every encoding.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	add("bytes 0-255", mp{}.bin(all))
	for i := 0; i < 256; i += 32 {
		add("bytes "+itoa64(int64(i)), mp{}.bin(all[i:i+32]))
	}
	for _, s := range []string{"", "'", `"`, `'"`, `\`, "it's", "a\tb\nc\rd"} {
		add("bytes "+s, mp{}.bin([]byte(s)))
	}
	add("bin16 short", mp{}.binAs(0xc5, []byte("ab")))
	add("bin32 short", mp{}.binAs(0xc6, []byte("ab")))
	long := make([]byte, 3000)
	for i := range long {
		long[i] = byte(i * 7)
	}
	add("bytes long", mp{}.bin(long))

	// Keys: bytes keys, str and bytes alike, repeated keys.
	add("bytes key", mp{}.dict(1).bin([]byte{0, 0xff}).num(1))
	add("bytes and str key", mp{}.dict(2).bin([]byte("a")).num(1).str("a").num(2))
	add("repeated key", mp{}.dict(3).str("a").num(1).str("b").num(2).str("a").num(3))
	add("repeated key thrice", mp{}.dict(4).str("a").num(1).str("a").num(2).str("b").num(2).str("a").num(3))
	add("repeated bytes key", mp{}.dict(2).bin([]byte("k")).num(1).bin([]byte("k")).str("x"))
	big := mp{}.dict(40)
	for i := range 40 {
		big = big.str(string(rune('A' + i%13))).num(int64(i))
	}
	add("big map with repeats", big)
	big = mp{}.dict(30)
	for i := range 30 {
		big = big.str("key" + itoa64(int64(i))).num(int64(i))
	}
	add("big map", big)
	add("map16", mp{}.raw(0xde, 0, 2).str("a").nil().str("b").bool(true))
	add("array16", mp{}.raw(0xdc, 0, 2).num(1).num(2))
	add("map32", mp{}.raw(0xdf, 0, 0, 0, 1).str("a").arr(0))
	add("array32", mp{}.raw(0xdd, 0, 0, 0, 1).dict(0))

	// Containers, nested and mixed.
	add("empty map", mp{}.dict(0))
	add("empty list", mp{}.arr(0))
	add("None", mp{}.nil())
	add("True", mp{}.bool(true))
	add("False", mp{}.bool(false))
	add("top-level bytes", mp{}.bin([]byte("raw")))
	add("top-level str with newline", mp{}.str("two\nlines"))
	deep := mp{}
	for range 100 {
		deep = deep.arr(1)
	}
	add("deep lists", deep.dict(1).str("x").nil())
	deep = mp{}
	for range 900 {
		deep = deep.dict(1).str("d")
	}
	add("900 nested maps", deep.arr(0))
	add("worked example", mp{}.dict(1).str("message_number").num(10))
	add("gpio report", mp{}.dict(4).str("report").str("digital_input").str("pin").num(11).str("value").num(1).str("timestamp").f64(1700000000.123456))
	add("mixed", mp{}.dict(6).str("list").arr(4).num(1).str("two").f64(3.0).nil().
		str("map").dict(2).str("in").bool(false).bin([]byte{1}).arr(1).arr(0).
		str("bytes").bin([]byte("\x00x'")).str("neg").num(-5).str("f32").f32(0.25).str("é").str("\U0001f600"))
	add("list of maps", mp{}.arr(3).dict(1).str("a").num(1).dict(0).dict(1).str("b").arr(2).str("x").str("y"))
	add("nested with repeats", mp{}.dict(2).str("outer").dict(2).str("k").num(1).str("k").num(2).str("outer").dict(1).str("k").num(3))

	// ext values: ExtType and Timestamp.
	add("fixext1", mp{}.ext(5, []byte{1}))
	add("fixext2", mp{}.ext(5, []byte{1, 2}))
	add("fixext4", mp{}.ext(127, []byte("abcd")))
	add("fixext8", mp{}.ext(10, []byte("'quoted\"")))
	add("fixext16", mp{}.ext(0, all[:16]))
	add("ext8", mp{}.ext(1, []byte("abc")))
	add("ext8 empty", mp{}.ext(2, nil))
	add("ext16", mp{}.raw(0xc8, 0, 2, 3, 'h', 'i'))
	add("ext32", mp{}.raw(0xc9, 0, 0, 0, 1, 4, 'z'))
	add("timestamp32", mp{}.ext(-1, []byte{0, 0, 0, 1}))
	add("timestamp64", mp{}.ext(-1, binary.BigEndian.AppendUint64(nil, 999999999<<34|1700000000)))
	add("timestamp96", mp{}.ext(-1, append(binary.BigEndian.AppendUint32(nil, 5), binary.BigEndian.AppendUint64(nil, uint64(1<<63))...)))
	add("timestamp96 negative", mp{}.ext(-1, append([]byte{0, 0, 0, 1}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))
	add("ext in a map", mp{}.dict(1).str("e").ext(7, []byte("x")))

	// Where Python Banyan's receive loop raises: ours shows what Python
	// shows with unicode_errors='surrogateescape' and strict_map_key=False.
	for _, bad := range [][]byte{{0xff}, {'a', 0xe2, 0x82, 'b'}, {0xed, 0xa0, 0x80}, {0xc0, 0x80}, {0xf4, 0x90, 0x80, 0x80},
		{0xf0, 0x80, 0x80, 0x80}, {0x80, 0xbf}, {'\'', 0xfe}, {0xe2, 0x82}} {
		raises("bad utf-8 "+string(bad), mp{}.arr(1).raw(0xa0|byte(len(bad))).raw(bad...))
		raises("bad utf-8 key "+string(bad), mp{}.dict(1).raw(0xa0|byte(len(bad))).raw(bad...).num(1))
	}
	raises("top-level bad utf-8", mp{}.raw(0xa3, 'a', 0xff, 'b'))
	raises("int key", mp{}.dict(1).num(1).num(2))
	raises("ext key", mp{}.dict(1).ext(7, []byte("x")).num(1))
	raises("keys of every scalar type", mp{}.dict(6).num(-7).str("int").nil().str("None").bool(true).str("True").f64(2.5).str("float").uint(0xcf, math.MaxUint64).str("big").ext(3, []byte("e")).str("ext"))
	raises("equal number keys", mp{}.dict(5).num(1).str("a").bool(true).str("b").f64(1).str("c").f64(0).str("d").bool(false).str("e"))
	raises("nan keys", mp{}.dict(2).f64(math.NaN()).num(1).f64(math.NaN()).num(2))
	raises("big int keys", mp{}.dict(3).uint(0xcf, 1<<63).num(1).f64(9223372036854775808).num(2).int(0xd3, math.MinInt64).num(3))
	raises("timestamp keys", mp{}.dict(2).ext(-1, []byte{0, 0, 0, 1}).num(1).ext(-1, binary.BigEndian.AppendUint64(nil, 1)).num(2))
	many := mp{}.dict(20)
	for i := range 20 {
		if i%2 == 0 {
			many = many.num(int64(i % 6)).num(int64(i))
		} else {
			many = many.f64(float64(i % 6)).num(int64(i))
		}
	}
	raises("big map of number keys", many)
	return c
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

func fmtG(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// numpyModeCorpus is the hand-built corpus for Numpy mode: Python
// Banyan's top-level key fix and the maps msgpack_numpy.decode looks at
// but leaves dicts.
func numpyModeCorpus() []sample {
	i4 := func(b mp, keyFn func(mp, string) mp) mp { // a 3-element int32 array, keys written by keyFn
		b = keyFn(b.dict(5), "nd").bool(true)
		b = keyFn(b, "type").str("<i4")
		b = keyFn(b, "kind").bin(nil)
		b = keyFn(b, "shape").arr(1).num(3)
		return keyFn(b, "data").bin([]byte{1, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff})
	}
	binKey := func(b mp, k string) mp { return b.bin([]byte(k)) }
	strKey := func(b mp, k string) mp { return b.str(k) }
	return []sample{
		{name: "np bytes and str keys", payload: mp{}.dict(3).bin([]byte("a")).num(1).str("b").num(2).bin([]byte("c")).arr(0)},
		{name: "np repeated bytes keys", payload: mp{}.dict(3).bin([]byte("a")).num(1).bin([]byte("a")).num(2).bin([]byte("b")).num(3)},
		{name: "np bytes and str key alike", payload: mp{}.dict(2).str("a").num(1).bin([]byte("a")).num(2)},
		{name: "np only str keys", payload: mp{}.dict(2).str("a").bin([]byte("x")).str("b").dict(1).bin([]byte("inner")).num(1)},
		{name: "np bytes key not utf-8", payload: mp{}.dict(1).bin([]byte{0, 0xff}).num(1), npRaises: true},
		{name: "np int key", payload: mp{}.dict(1).num(1).num(2), npRaises: true},
		{name: "np nested bytes keys kept", payload: mp{}.dict(1).str("m").dict(1).bin([]byte("k")).num(1)},
		{name: "np array with bin keys", payload: mp{}.dict(1).str("a").raw(i4(mp{}, binKey)...)},
		{name: "np array with str keys", payload: mp{}.dict(1).str("a").raw(i4(mp{}, strKey)...)},
		{name: "np array in a list", payload: mp{}.arr(2).raw(i4(mp{}, binKey)...).num(5), npRaises: true},
		{name: "np top-level array", payload: i4(mp{}, binKey), npRaises: true},
		{name: "np nd only", payload: mp{}.arr(1).dict(1).bin([]byte("nd")).bool(true), npRaises: true},
		{name: "np nd only top", payload: mp{}.dict(1).bin([]byte("nd")).bool(true)},
		{name: "np nd with str type", payload: mp{}.dict(1).str("x").dict(3).bin([]byte("nd")).bool(false).str("type").str("<i4").bin([]byte("data")).bin([]byte{1, 0, 0, 0})},
		{name: "np scalar", payload: mp{}.dict(1).str("x").dict(3).bin([]byte("nd")).bool(false).bin([]byte("type")).str("<u2").bin([]byte("data")).bin([]byte{1, 1})},
		{name: "np scalar repeated nd", payload: mp{}.dict(1).str("x").dict(4).bin([]byte("nd")).bool(true).bin([]byte("type")).str("<u2").bin([]byte("data")).bin([]byte{1, 1}).bin([]byte("nd")).bool(false)},
		{name: "np complex", payload: mp{}.dict(1).str("c").dict(2).bin([]byte("complex")).bool(true).bin([]byte("data")).str("(1+2j)")},
		{name: "np complex false", payload: mp{}.dict(1).str("c").dict(2).bin([]byte("complex")).bool(false).bin([]byte("data")).str("-1.5e-20j")},
		{name: "np complex bytes data", payload: mp{}.dict(1).str("c").dict(2).bin([]byte("complex")).bool(true).bin([]byte("data")).bin([]byte("(inf-nanj)"))},
		{name: "np complex no data", payload: mp{}.dict(1).str("c").dict(1).bin([]byte("complex")).bool(true)},
		{name: "np extra keys", payload: mp{}.dict(1).str("x").dict(4).bin([]byte("other")).num(1).bin([]byte("nd")).bool(false).bin([]byte("type")).str("|b1").bin([]byte("data")).bin([]byte{1})},
		{name: "np top-level str", payload: mp{}.str("text"), npRaises: true},
	}
}
