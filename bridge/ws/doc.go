// Package ws is Banyan's WebSocket bridge: it lets web pages (OneGPIO's
// arduino.html, esp8266.html and rpi.html) talk to a Banyan backplane with
// JSON. It is wire-compatible with Python Banyan's ws_gateway
// (projects/OneGPIO/shared/ws_gateway.py), with its faults fixed, and runs
// as `banyan ws`.
//
// # Protocol (as ws_gateway)
//
// A browser opens a WebSocket (any path; ws://localhost:9000 by default)
// and exchanges JSON text frames:
//
//  1. Its first message names the topic it publishes on:
//     {"id": "to_arduino_gateway"}.
//  2. It receives every Banyan message on the reply topic derived from the
//     id, "from_arduino_gateway" (see ReplyTopic), each as one JSON frame,
//     for example {"report":"digital_input","pin":2,"timestamp":
//     "2019-02-18 09:31:16","value":1}.
//  3. Each later message it sends, say {"command": "digital_write", "pin":
//     13, "value": 1}, is published on the id topic as msgpack, which every
//     Banyan component (the Arduino gateway) decodes as usual.
//
// Messages go to the browsers registered under exactly the message's topic:
// a Banyan subscription is a prefix, so "from_arduino_gateway2" also reaches
// the bridge, but not the browsers of "from_arduino_gateway". Several
// browsers may use the same id; each gets every message.
//
// Like ws_gateway, the bridge rewrites a numeric top-level "timestamp"
// (seconds since the epoch, as the hardware gateways publish it) as local
// time, "2019-02-18 09:31:16", the format of the OneGPIO specification.
// Options.KeepTimestamps turns this off; Options.Location picks the zone.
//
// # JSON and msgpack
//
// Banyan to browser: ToJSON. JSON cannot carry bytes, on which Python's
// json.dumps raises; they are sent as base64 strings (standard alphabet,
// padded: atob() decodes them), so a payload {"data": b"\x01\x02\x03"}
// arrives as {"data":"AQID"}. NaN and infinities become null, as
// JSON.stringify writes them. Map keys are sorted. The payload is
// converted as it is scanned (internal/msgjson), without building Go
// values. A payload that still cannot be converted (malformed msgpack,
// when the component is told to skip validation) is logged, counted in
// Stats.BadPayload and skipped.
//
// Browser to Banyan: FromJSON. Integers stay integers, other numbers are
// floats, as Python's json.loads gives them; object keys keep their order,
// as Python's dicts do. The text is converted to msgpack as it is scanned
// (internal/msgjson), without building Go values, so a message takes
// memory in proportion to its length whatever it holds. A message that is
// not JSON, or that msgpack cannot carry (strings that are not UTF-8,
// integers beyond 64 bits), is logged, counted in Stats.BadJSON and
// skipped; the connection goes on.
//
// # Faults of ws_gateway fixed
//
//   - The listen address is an option (Options.Listen; default
//     127.0.0.1:9000, ws_gateway's fixed address).
//   - Only a leading "to_" of the id becomes "from_": ws_gateway replaces
//     every "to", so "to_motor" listened on "from_mofromr". An id without
//     the "to_" prefix has no reply topic and is refused.
//   - A first message without an id, or not JSON, gets an error frame,
//     {"error": "..."}, and the connection is closed with status 1008
//     (policy violation); ws_gateway raised a KeyError. A connection that
//     sends nothing is closed after Options.IDTimeout.
//   - One backplane connection serves every browser (ws_gateway opened new
//     ZeroMQ sockets and another receive task for each browser, and never
//     closed them). Subscriptions are counted: a reply topic is subscribed
//     when its first browser arrives (the bridge waits until the
//     backplane forwards it, so nothing published after the id is lost)
//     and unsubscribed when its last browser leaves (see Topics).
//   - A slow browser has a bounded queue (Options.Queue); beyond it its
//     frames are dropped and counted in Stats.Dropped, and a write that
//     blocks for Options.WriteTimeout disconnects it. It never holds up
//     the other browsers or the backplane.
//   - Payloads with bytes, NaN or bad JSON are counted and skipped or
//     converted, never fatal.
//   - Python's -m accepts several topics (ws_gateway's default is one
//     string with commas and spaces, and -m crashed it).
//
// # Hostile browsers
//
// No message can take the bridge down:
//
//   - A message is at most Options.MaxMessage bytes (default 1 MiB, as
//     Python's websockets), the first one, the id, at most 4 KiB; a
//     longer one closes the connection with status 1009.
//   - Options.MaxDecodeBytes (default 64 MiB) bounds the memory of the
//     messages being read and converted at once over all connections. A
//     message that finds no room waits, in turn, for Options.DecodeWait
//     (default 5 s); then its connection is closed with status 1013 (try
//     again later) and counted in Stats.Busy.
//   - A text message that is not valid UTF-8 closes the connection with
//     status 1007, as RFC 6455 requires (ws_gateway replaced the bytes);
//     counted in Stats.BadUTF8. Binary messages are read as JSON too, and
//     bytes in them that are not UTF-8 make them bad JSON.
//
// # Beyond ws_gateway
//
// Options.Static serves a directory over HTTP on the same address, so the
// OneGPIO pages can be loaded from the bridge itself. Cross-site requests
// are refused by default (ws_gateway accepts every origin: any web site the
// user visits could drive the hardware); allowed are non-browser clients,
// the bridge's own origin (every loopback name counts as the same host),
// pages opened from files (origin "null", unless
// Options.RefuseNullOrigin), and the patterns in Options.Origins ("*" for
// ws_gateway's behaviour).
//
// The entry "onegpio" of Options.Origins (`banyan ws --origin onegpio`) is
// a preset for the OneGPIO pages on the web: it allows the hosts listed by
// OneGPIOOrigins, today only mryslab.github.io, where s3-extend's Scratch 3
// OneGPIO editor is served (https://mryslab.github.io/s3onegpio/).
//
// A refused origin is answered with HTTP 403 and logged with what would
// allow it, at warning level the first time that origin is refused and at
// debug level after (the bridge remembers 1000 origins, then says so once
// and logs new ones at debug level too):
//
//	level=WARN msg="origin refused; to allow it start the bridge with --origin onegpio" origin=https://mryslab.github.io allow=onegpio ...
//
// Refusals are counted in Stats.Forbidden, the distinct origins in
// Stats.ForbiddenOrigins.
package ws
