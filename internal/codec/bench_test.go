package codec

import (
	"bytes"
	"errors"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// Benchmarks of the message hot path: what Component.Publish, the receive
// loop's Validate and Message.Decode / Message.Map do for every message.

type benchSmall struct {
	Msg int `msgpack:"msg"`
}

type benchTypical struct {
	Topic string  `msgpack:"topic"`
	Seq   int     `msgpack:"seq"`
	Value float64 `msgpack:"value"`
	OK    bool    `msgpack:"ok"`
	Pin   uint8   `msgpack:"pin"`
}

var (
	benchSmallPayload = []byte{0x81, 0xa3, 'm', 's', 'g', 0x05}
	// Boxed once, as Publish's caller boxes its payload: the benchmarks
	// then count only what the codec allocates.
	benchSmallValue     any = benchSmall{Msg: 5}
	benchTypicalValue   any = benchTypical{Topic: "sensor", Seq: 70000, Value: 21.5, OK: true, Pin: 13}
	benchTypicalMap     any = map[string]any{"topic": "sensor", "seq": 70000, "value": 21.5, "ok": true, "pin": 13}
	benchTypicalPayload     = mustMarshal(benchTypicalValue)
	benchMapSink        map[string]any
	benchBytesSink      []byte
)

func mustMarshal(v any) []byte {
	b, err := Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkUnmarshalSmall(b *testing.B) {
	b.ReportAllocs()
	var v benchSmall
	for b.Loop() {
		if err := Unmarshal(benchSmallPayload, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalTypical(b *testing.B) {
	b.ReportAllocs()
	var v benchTypical
	for b.Loop() {
		v.Topic = "" // so that every iteration sets a string
		if err := Unmarshal(benchTypicalPayload, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalMapAny(b *testing.B) {
	b.ReportAllocs()
	var m map[string]any
	for b.Loop() {
		m = nil
		if err := Unmarshal(benchTypicalPayload, &m); err != nil {
			b.Fatal(err)
		}
		benchMapSink = m
	}
}

func BenchmarkDecodeMapSmall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := DecodeMap(benchSmallPayload)
		if err != nil {
			b.Fatal(err)
		}
		benchMapSink = m
	}
}

func BenchmarkDecodeMapTypical(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := DecodeMap(benchTypicalPayload)
		if err != nil {
			b.Fatal(err)
		}
		benchMapSink = m
	}
}

func BenchmarkValidateTypical(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(benchTypicalPayload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalSmall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		out, err := Marshal(benchSmallValue)
		if err != nil {
			b.Fatal(err)
		}
		benchBytesSink = out
	}
}

func BenchmarkMarshalTypical(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		out, err := Marshal(benchTypicalValue)
		if err != nil {
			b.Fatal(err)
		}
		benchBytesSink = out
	}
}

func BenchmarkMarshalTypicalMap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		out, err := Marshal(benchTypicalMap)
		if err != nil {
			b.Fatal(err)
		}
		benchBytesSink = out
	}
}

func BenchmarkMarshalPooledSmall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := MarshalPooled(benchSmallValue, func(p []byte) error { benchBytesSink = p; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalPooledTypical(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := MarshalPooled(benchTypicalValue, func(p []byte) error { benchBytesSink = p; return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// raceEnabled reports a -race build, where sync.Pool drops items at random
// and allocation counts of pooled code mean nothing.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// validPayloads are well-formed payloads of every type family.
func validPayloads(t *testing.T) map[string][]byte {
	return map[string][]byte{
		"small":   benchSmallPayload,
		"typical": benchTypicalPayload,
		"scalars": h(t, "9a c0 c2 c3 7f e0 cc ff cd 01 00 d3 80 00 00 00 00 00 00 00 ca 3f c0 00 00 cb 3f f8 00 00 00 00 00 00"),
		"strings": h(t, "82 a6 e4 b8 96 e7 95 8c d9 03 61 62 63 c4 01 6b c5 00 02 00 01"),
		"ndarray": h(t, "81 a1 61 85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02"+
			"c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40"),
		"deepest": append(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting), 0xc0),
		"map16":   append(h(t, "de 00 10"), bytes.Repeat([]byte{0xa0, 0x90}, 16)...),
	}
}

func TestValidateDoesNotAllocate(t *testing.T) {
	for name, data := range validPayloads(t) {
		if err := Validate(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = Validate(data) }); n != 0 {
			t.Errorf("Validate(%s) allocates %v times", name, n)
		}
	}
}

// Validate is the codec's own check: it accepts and rejects exactly what
// DecodeValue does, with the same error.
func TestValidateSameRulesAsDecode(t *testing.T) {
	tooDeep := append(bytes.Repeat([]byte{0x91}, MaxNesting+1), 0xc0)
	cases := map[string]struct {
		data     []byte
		sentinel error
	}{
		"ext":           {h(t, "81 a1 74 d6 ff 00 00 00 00"), ErrExtType},
		"ext8":          {h(t, "c7 01 05 00"), ErrExtType},
		"too deep":      {tooDeep, ErrTooDeep},
		"int key":       {h(t, "81 01 a1 61"), ErrNonStringKey},
		"bad UTF-8 str": {h(t, "81 a1 61 a2 c3 28"), ErrInvalidUTF8},
		"bad UTF-8 key": {h(t, "81 a2 ff fe 01"), ErrInvalidUTF8},
		"truncated":     {h(t, "82 a1 61 01"), nil},
		"trailing":      {h(t, "80 80"), nil},
		"reserved":      {h(t, "c1"), nil},
		"empty":         {nil, nil},
		"huge count":    {h(t, "dd ff ff ff ff"), nil},
	}
	for name, data := range validPayloads(t) {
		cases["valid "+name] = struct {
			data     []byte
			sentinel error
		}{data, nil}
	}
	for name, c := range cases {
		verr := Validate(c.data)
		_, derr := DecodeValue(c.data)
		if (verr == nil) != (derr == nil) || verr != nil && verr.Error() != derr.Error() {
			t.Errorf("%s: Validate: %v; DecodeValue: %v", name, verr, derr)
		}
		if strings.HasPrefix(name, "valid ") {
			continue
		}
		if !errors.Is(verr, ErrBadPayload) {
			t.Errorf("%s: Validate error %v does not wrap ErrBadPayload", name, verr)
		}
		if c.sentinel != nil && !errors.Is(verr, c.sentinel) {
			t.Errorf("%s: Validate error %v does not wrap %v", name, verr, c.sentinel)
		}
	}
}

func TestUnmarshalScalarsDoNotAllocate(t *testing.T) {
	var v benchTypical
	v.Topic = "sensor" // the only field that could allocate; keep it unset below
	payload := mustMarshal(struct {
		Seq   int     `msgpack:"seq"`
		Value float64 `msgpack:"value"`
		OK    bool    `msgpack:"ok"`
		Pin   uint8   `msgpack:"pin"`
		Extra []any   `msgpack:"extra"` // not a field of benchTypical: skipped
	}{Seq: -70000, Value: 0.5, OK: true, Pin: 200, Extra: []any{"x", map[string]any{"y": 1}}})
	if err := Unmarshal(payload, &v); err != nil {
		t.Fatal(err)
	}
	if v != (benchTypical{Topic: "sensor", Seq: -70000, Value: 0.5, OK: true, Pin: 200}) {
		t.Fatalf("Unmarshal = %+v", v)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Unmarshal(payload, &v) }); n != 0 {
		t.Errorf("Unmarshal into scalar fields allocates %v times", n)
	}
	var small benchSmall
	if n := testing.AllocsPerRun(100, func() { _ = Unmarshal(benchSmallPayload, &small) }); n != 0 || small.Msg != 5 {
		t.Errorf("Unmarshal(small) allocates %v times (Msg %d)", n, small.Msg)
	}
}

// The field cache is shared by all goroutines; concurrent first uses of a
// type must agree (run with -race).
func TestUnmarshalConcurrentTypes(t *testing.T) {
	type inner struct {
		N uint16 `json:"n"`
	}
	type outer struct {
		A  string           `msgpack:"a"`
		In *inner           `msgpack:"in"`
		L  []inner          `msgpack:"l"`
		M  map[string]inner `msgpack:"m"`
	}
	payload := mustMarshal(map[string]any{"a": "x", "in": map[string]any{"n": 300},
		"l": []any{map[string]any{"n": 1}}, "m": map[string]any{"k": map[string]any{"n": 2}}})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				var o outer
				if err := Unmarshal(payload, &o); err != nil {
					errs <- err
					return
				}
				if o.A != "x" || o.In == nil || o.In.N != 300 || len(o.L) != 1 || o.L[0].N != 1 || o.M["k"].N != 2 {
					errs <- errors.New("wrong result")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDecodeStringsAreIndependent(t *testing.T) {
	// Strings share one allocation per payload; they must still be the
	// right, unaliased values, in nested maps and arrays, as keys and
	// values, and independent of the input buffer.
	data := mustMarshal(map[string]any{"alpha": "one", "beta": []any{"two", "", map[string]any{"gamma": "three"}}, "": "empty"})
	m, err := DecodeMap(data)
	if err != nil {
		t.Fatal(err)
	}
	clear(data)
	want := map[string]any{"alpha": "one", "beta": []any{"two", "", map[string]any{"gamma": "three"}}, "": "empty"}
	if !equalGeneric(m, want) {
		t.Errorf("DecodeMap = %s, want %s", show(m), show(want))
	}
}

// MarshalPooled produces what Marshal produces, errors included, without
// allocating once its pool is warm.
func TestMarshalPooled(t *testing.T) {
	for _, g := range goldens(t) {
		want := h(t, g.hex)
		var got []byte
		err := MarshalPooled(g.in, func(p []byte) error {
			got = bytes.Clone(p)
			return nil
		})
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: MarshalPooled = % x, %v; want % x", g.name, got, err, want)
		}
	}
	// Encoding errors are Marshal's, and use is not called.
	for _, v := range []any{map[int]string{1: "a"}, "a\xffb", badEncoder{}, make(chan int)} {
		_, merr := Marshal(v)
		called := false
		perr := MarshalPooled(v, func([]byte) error { called = true; return nil })
		if merr == nil || perr == nil || merr.Error() != perr.Error() || called {
			t.Errorf("%T: Marshal error %v, MarshalPooled error %v (use called: %v)", v, merr, perr, called)
		}
	}
	// use's error is returned as is.
	errUse := errors.New("use failed")
	if err := MarshalPooled(1, func([]byte) error { return errUse }); err != errUse {
		t.Errorf("use error: got %v", err)
	}
	// A large message is not kept in the pool, and both paths still agree.
	big := map[string]any{"data": bytes.Repeat([]byte{7}, 2*maxPooledBuffer), "f": float32(0.5)}
	want, err := Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := MarshalPooled(big, func(p []byte) error {
		if !bytes.Equal(p, want) {
			return errors.New("large payload differs")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	if raceEnabled() {
		return
	}
	if n := testing.AllocsPerRun(100, func() { _ = MarshalPooled(benchTypicalValue, func([]byte) error { return nil }) }); n != 0 {
		t.Errorf("MarshalPooled allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { benchBytesSink, _ = Marshal(benchTypicalValue) }); n != 1 {
		t.Errorf("Marshal allocates %v times, want 1 (the result)", n)
	}
	f32 := any([]float32{1, 2, 3})
	if n := testing.AllocsPerRun(100, func() { benchBytesSink, _ = Marshal(f32) }); n != 1 {
		t.Errorf("Marshal with float32 widening allocates %v times, want 1", n)
	}
}

// optionChanger turns the encoder's options off while encoding itself.
type optionChanger struct{}

func (optionChanger) EncodeMsgpack(e *msgpack.Encoder) error {
	e.SetSortMapKeys(false)
	e.UseCompactInts(false)
	e.SetCustomStructTag("")
	return e.EncodeNil()
}

// A pooled encoder starts every call with Marshal's options, whatever an
// earlier custom encoder did to it.
func TestMarshalPooledEncoderOptionsReset(t *testing.T) {
	type jsonTagged struct {
		N int `json:"n"`
	}
	for range 20 { // enough that the same pooled state comes back
		if _, err := Marshal(optionChanger{}); err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(jsonTagged{N: 5})
		if want := h(t, "81 a1 6e 05"); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("after a custom encoder changed options: % x, %v; want % x", got, err, want)
		}
	}
}
