// Package tcp is Banyan's TCP gateway for microcontrollers that cannot run
// ZeroMQ (a MicroPython Pico W, an ESP32, an Arduino with Wi-Fi): Python
// Banyan's tgw, wire-compatible with its MicroPython scripts, with its
// faults fixed and a few additions.
//
// # Behaviour kept from tgw
//
// The bridge is a Banyan component. Every message on the subscribed topics
// (tgw -g) is sent to the device as one frame: a 1-byte length, then the
// msgpack payload as it is (the topic is not sent). Every frame the device
// sends is published on one Banyan topic (tgw -e). Payloads are never
// decoded and re-encoded; the device speaks msgpack itself (umsgpack on
// MicroPython). tgw's Banyan payload {'Led_0': 0} travels as
//
//	08 81 a5 4c 65 64 5f 30 00
//
// By default the bridge is a TCP client of the device, on port 31335.
//
// # Faults fixed
//
//   - Frames are read whole with io.ReadFull: a short read never cuts one.
//   - When the device closes the connection the bridge closes its side and
//     reconnects with exponential backoff (tgw publishes empty messages in a
//     tight loop, and retries connecting in a tight loop too).
//   - A payload too large for the length field (over 255 bytes in 1-byte
//     mode) is refused, logged and counted in Stats.Refused; tgw's receive
//     task dies on it.
//   - A frame from the device that is not one well-formed msgpack value is
//     skipped and counted in Stats.Garbage; the connection goes on (tgw
//     would publish it and break every Python receiver).
//   - A slow device cannot stall the bridge: each device has a bounded
//     queue (overflow counted in Stats.Dropped) and a write timeout.
//
// # Beyond tgw
//
//   - Server mode: devices connect to the bridge, any number of them; every
//     message from Banyan goes to each one. It listens on loopback
//     (DefaultListen) unless Options.Address says otherwise.
//   - 2- and 4-byte big-endian length fields (Framing.LengthBytes), for
//     payloads over 255 bytes; Framing.MaxFrame bounds them.
//   - Topic framing (Framing.Topic), for devices that talk to several
//     topics: the frame body is the msgpack array [topic, payload], in both
//     directions. See Framing for the format.
//
// A zero-length frame is ignored: devices may send one as a keep-alive.
//
// # Hostile devices
//
// Anyone who can connect is a device, so what devices may do is bounded:
// a server listens on 127.0.0.1 unless told otherwise; devices publish only
// on the topics Options.AllowTopics allows (by default the publishing topic
// and, with topic framing, topics under it), the rest counted in
// Stats.Denied; every length on the wire is checked against Framing.Max
// before it is used, and memory follows the bytes received, not the length
// claimed. A bad frame costs at most that device's connection.
//
// A loop guard: without topic framing, New refuses a publishing topic that a
// subscription matches (ErrLoop), since every device message would come
// straight back. With topic framing the device picks its topics; it should
// not publish on topics it is subscribed to.
//
// The command `banyan tcp` runs a bridge with tgw's flags.
package tcp
