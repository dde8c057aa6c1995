// Package gateway is the OneGPIO gateway base: it connects a board (real
// hardware behind a driver, or the simulated board of package sim) to the
// Banyan bus, speaking the OneGPIO message vocabulary of Python Banyan's
// GatewayBase, so the same client applications drive Arduino, Raspberry
// Pi, ESP8266 and simulated boards.
//
// # Topics
//
// Applications publish commands on CommandTopic(device),
// "to_<device>_gateway", and the gateway publishes reports on
// ReportTopic(device), "from_<device>_gateway" (device is for example
// "arduino", "rpi", "esp8266", or "sim").
//
// # Commands and reports
//
// A command is a Command value: Name is one of the 22 Cmd constants, and
// one table (a row per command) says which fields it carries under which
// keys, how they are checked and what the gateway does with it. A Command
// encodes itself with the spec's keys, so a Go client publishes it
// directly:
//
//	c.Publish(gateway.CommandTopic("arduino"), gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "led"})
//	c.Publish(gateway.CommandTopic("arduino"), gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
//
// Keys the spec does not name for a command (board options such as the
// ESP8266's pull_up, irq, count, change_diff and drain) are kept in
// Command.Extra and reach a board that implements CommandHandler.
//
// ParseCommand and DecodeCommand read them back from payloads, and
// ParseReport and DecodeReport read the reports (DigitalInput,
// AnalogInput, I2CData, SonarData and ErrorReport). Pin modes and board
// types are the PinMode and BoardType constants, numbered as Python's.
//
// # Drivers
//
// A driver implements Board (SetMode) and the optional interfaces for what
// its board can do: DigitalWriter, PWMWriter, ServoWriter, TonePlayer,
// AnalogWriter, StepperBoard, I2CBoard, SonarBoard, and ReportSource to
// push input changes (ReportingControl to stop reading disabled pins),
// CommandHandler to take commands whole, extra fields included.
//
// # Running
//
// A Gateway is built like the bridges (bridge/mqtt, bridge/tcp, bridge/ws):
// New(ctx, board, Options) connects the gateway's own component to the
// backplane that Options.Backplane names (banyan.WithBackplane,
// banyan.WithPorts, ...), subscribed to the command topics and ready when
// it returns; Run(ctx) serves commands until ctx ends, and may be called
// once (ErrRunning); Close disconnects, ends Run, and is safe to call more
// than once; Stats includes the component's counters (Stats.Backplane).
//
//	gw, err := gateway.New(ctx, board, gateway.Options{Device: "arduino",
//		Backplane: []banyan.Option{banyan.WithBackplane("192.168.2.10")}})
//	if err != nil {
//		return err
//	}
//	defer gw.Close()
//	return gw.Run(ctx)
//
// # Tags
//
// A command may name its pin by a tag instead of a number. The first
// command with a tag must carry the pin (normally the set_mode_* command);
// later ones may carry only the tag. A tag nobody has bound is answered
// with an error report (code "unknown_tag"). A known tag with a different
// pin is an error ("tag_conflict"), except in set_mode_* commands, which
// rebind the tag. set_mode_sonar binds its tag to the trigger pin.
//
// # Differences from Python Banyan
//
// The wire format (topics, keys, values) is Python's. The behaviour fixes
// Python's faults:
//   - enable_digital_reporting and enable_analog_reporting enable
//     reporting. Python's GatewayBase (and GatewayBaseAIO, and the ESP8266
//     firmware) maps both to the disable handlers, so a client could never
//     turn reporting back on. The gateway also honours enable and disable
//     itself, by filtering reports, for boards that cannot.
//   - A command the gateway cannot carry out gets an error report on the
//     report topic, with a "code" (see the Code constants), the message,
//     and the command, tag and pin it concerned. Python kills its receive
//     loop on a payload without "command" (KeyError), on a tag without a
//     pin (KeyError), on an unknown command (NotImplementedError) and on
//     every command its board does not implement.
//   - set_mode_sonar with a tag works (Python looks for "pin" and raises
//     KeyError).
//   - A set_mode_* command can rebind a tag, so a client restarted with new
//     wiring is obeyed, and a command whose pin contradicts its tag is
//     refused; Python silently drives the first pin ever bound.
//   - Commands are read only from the exact command topics (Python gets
//     every topic its subscription is a prefix of), and the subscription
//     list is a list (Python's default is the string 'all').
//   - Input reports carry a float timestamp (seconds since the epoch), as
//     Python's gateways send; the PDF's "2019-02-18 09:31:16" string has
//     never been used on the bus. i2c_data values are an array of ints (the
//     ESP8266 form; Arduino sent a comma-separated string with metadata).
//     i2c_data adds "addr" and "register", sonar_data adds "trigger_pin";
//     Python clients ignore extra keys. The PDF calls sonar_data "i2c_data";
//     every gateway, and this one, sends "sonar_data".
package gateway
