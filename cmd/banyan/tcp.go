package main

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gobanyan/banyan/bridge/tcp"
	"github.com/spf13/cobra"
)

type tcpFlags struct {
	comp                   componentFlags
	address                string
	port                   int
	banyanSub              []string
	banyanPub              string
	allowTopics            []string
	eventLoop              string
	server                 bool
	lengthBytes            int
	topics                 bool
	maxFrame               int
	minBackoff, maxBackoff time.Duration
}

func newTCPCmd() *cobra.Command { return tcpCommand(&tcpFlags{}) }

// tcpCommand builds the command around f, which receives the flags.
func tcpCommand(f *tcpFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tcp",
		Short: "Bridge Banyan and a microcontroller over TCP (Python's tgw)",
		Long: `Bridge a Banyan backplane and a microcontroller that cannot run ZeroMQ
(a MicroPython Pico W, an ESP32, ...), with the flags, defaults and framing of
Python Banyan's TCP gateway (tgw):

  Banyan topics -g (default figura)  ->  the device at -a, port -n (31335)
  the device                         ->  Banyan topic -e (default from_pico)

Each message is a frame: one length byte, then that many bytes of msgpack
(the Banyan payload as it is; the topic is not sent). The device speaks
msgpack itself (umsgpack on MicroPython).

As in tgw, -n is the device's port and -z the component name (other banyan
commands use -n for the name); -g takes several values ("-g a b") or repeats
("-g a -g b"). -l (tgw's asyncio event loop) is accepted and ignored.

Unlike tgw: frames are read whole; when the device goes away the bridge
reconnects with backoff instead of publishing empty messages in a loop;
payloads over 255 bytes are refused and counted instead of crashing; frames
from the device that are not msgpack are counted and skipped.

Beyond tgw: --server listens for devices (any number; -a is then the
interface, default 127.0.0.1: this host only, since any device that connects
may publish; -a 0.0.0.0 for every interface); --length 2 or 4 uses a 2- or
4-byte big-endian length field; --topics carries the topic in each frame,
both ways, as the msgpack array [topic, payload] (umsgpack.dumps([topic,
payload]) on the device), for devices that talk to several topics.

With --topics, devices may publish only on topics that start with a prefix
of --allow-topics; by default the -e topic alone (from_pico allows
from_pico/temp), so that no device can publish killall or a command to
another component unless allowed. Frames on other topics are counted and
logged (the first of each connection as a warning) and not published.`,
		Example: `  banyan tcp -a 192.168.2.31                    # tgw's defaults: -g figura -e from_pico, port 31335
  banyan tcp -a pico.lan -g leds motors -e from_pico
  banyan tcp --server -a 0.0.0.0 --topics -g cmd/ --allow-topics sensors/,status/
                                                 # devices on the network connect to us and name their topics`,
		// Flags are parsed in RunE, after turning Python's "-g a b" into
		// "-g a -g b" (pflag takes one value per flag).
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			b, err := tcp.New(cmd.Context(), o)
			if err != nil {
				return err
			}
			defer b.Close()
			if o.Mode == tcp.Server {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: listening for devices on %s\n", f.comp.name, b.Addr())
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: connecting to the device at %s\n", f.comp.name, o.Address)
			}
			err = b.Run(cmd.Context())
			st := b.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d frames to devices, %d from devices, %d refused (too large), %d dropped, %d garbage, %d denied (topic not allowed), %d connections\n",
				f.comp.name, st.ToDevice, st.FromDevice, st.Refused, st.Dropped, st.Garbage, st.Denied, st.Connects)
			return err
		}, "banyan-topics"),
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.address, "address", "a", "", "the device's IP address or host name; \"None\" (tgw's default) is none (with --server: the interface to listen on, default 127.0.0.1, this host only; 0.0.0.0 for every interface)")
	fs.IntVarP(&f.port, "port", "n", tcp.DefaultPort, "the device's TCP port (with --server: the port to listen on)")
	fs.StringArrayVarP(&f.banyanSub, "banyan-topics", "g", []string{"figura"}, "Banyan topics (prefixes) whose messages go to the device")
	fs.StringVarP(&f.banyanPub, "banyan-pub-topic", "e", "from_pico", "Banyan topic for what the device sends (with --topics: the default --allow-topics)")
	f.comp.addBase(cmd, "TcpGateway", "z")
	f.comp.addConnect(fs)
	fs.StringVarP(&f.eventLoop, "event-loop", "l", "None", "accepted for Python compatibility; no effect: tgw's asyncio event loop")
	fs.BoolVar(&f.server, "server", false, "listen for devices instead of connecting to one")
	fs.IntVar(&f.lengthBytes, "length", 1, "size of the big-endian length field: 1 (tgw), 2 or 4 bytes")
	fs.BoolVar(&f.topics, "topics", false, "carry the topic in each frame, both ways: the body is the msgpack array [topic, payload]")
	fs.StringSliceVar(&f.allowTopics, "allow-topics", nil, "with --topics: topic prefixes devices may publish on, comma-separated (default: the -e topic only; others are counted, logged and not published)")
	fs.IntVar(&f.maxFrame, "max-frame", tcp.DefaultMaxFrame, "largest frame body in bytes, both ways (never above what --length allows)")
	fs.DurationVar(&f.minBackoff, "min-backoff", 100*time.Millisecond, "first delay before reconnecting to the device")
	fs.DurationVar(&f.maxBackoff, "max-backoff", 5*time.Second, "longest delay between attempts to reconnect")
	return cmd
}

// options turns the flags into bridge options.
func (f *tcpFlags) options() (tcp.Options, error) {
	if f.port < 0 || f.port > 65535 {
		return tcp.Options{}, fmt.Errorf("-n %d: not a TCP port", f.port)
	}
	switch f.lengthBytes {
	case 1, 2, 4:
	default:
		return tcp.Options{}, fmt.Errorf("--length %d: want 1, 2 or 4", f.lengthBytes)
	}
	addr := f.address
	if addr == "None" { // tgw's default, as a string
		addr = ""
	}
	bp, err := f.comp.options()
	if err != nil {
		return tcp.Options{}, err
	}
	o := tcp.Options{
		Mode:         tcp.Client,
		Subscribe:    f.banyanSub,
		PublishTopic: f.banyanPub,
		AllowTopics:  f.allowTopics,
		Framing:      tcp.Framing{LengthBytes: f.lengthBytes, Topic: f.topics, MaxFrame: f.maxFrame},
		Backplane:    bp,
		MinBackoff:   f.minBackoff,
		MaxBackoff:   f.maxBackoff,
		Logger:       f.comp.logger(),
	}
	if f.server {
		o.Mode = tcp.Server
		if addr == "" {
			addr = "127.0.0.1" // devices on the network need -a
		}
	} else if addr == "" {
		return tcp.Options{}, fmt.Errorf("%w (-a)", tcp.ErrNoAddress)
	}
	o.Address = net.JoinHostPort(addr, strconv.Itoa(f.port))
	return o, nil
}
