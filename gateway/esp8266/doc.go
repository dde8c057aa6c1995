// Package esp8266 is the OneGPIO gateway's driver for an ESP8266 running
// Python Banyan's MicroPython firmware (projects/OneGPIO/esp_8266), which
// it drives unchanged: JSON commands padded with spaces to fixed 96-byte
// frames over TCP, as a client of the board (port 31337) or as a server
// the board connects to.
//
// A Board implements gateway.Board, gateway.CommandHandler (every command
// arrives whole, with the board options in Command.Extra: pull_up, irq
// and count for set_mode_digital_input, change_diff for
// set_mode_analog_input, value and drain for set_mode_digital_output,
// drain for digital_write) and gateway.ReportSource. Run keeps its link up;
// gateway.New puts it on the bus:
//
//	board, err := esp8266.New(esp8266.Options{Addr: "192.168.2.40"})
//	...
//	gw, err := gateway.New(ctx, board, gateway.Options{Device: "esp8266"})
//	...
//	go board.Run(ctx)
//	return gw.Run(ctx)
//
// # What the firmware does, and what the gateway does about it
//
// The firmware was measured doing the following; package espsim
// simulates it, faults included.
//
//   - It crashes to the REPL, and the link goes dead, on
//     set_mode_digital_output without a "value", set_mode_pwm,
//     set_mode_digital_input_pullup, analog_write, any unknown command,
//     digital_write or pwm_write on a pin without PWM (GPIO16), the
//     minified firmware's set_mode_sonar with only OneGPIO's
//     trigger_pin/echo_pin, i2c_read of a missing device and
//     stepper_write before set_mode_stepper. The gateway sends "value"
//     (the client's, else 0) with set_mode_digital_output; carries out
//     set_mode_pwm itself (pwm_write sets the pin up); sends
//     set_mode_digital_input_pullup as set_mode_digital_input with
//     pull_up 1; sends set_mode_sonar with both names ("trigger" and
//     "echo" too); and refuses the rest with an error report on the report
//     topic (ErrFirmware: code "unsupported"; ErrNoStepper,
//     ErrNoI2CDevice: "board_error"). i2c_read is sent only to the
//     addresses in Options.I2CAddrs.
//   - Its reports are padded to 96 bytes but never cut (an i2c_data
//     report can be 113 bytes, its JSON-error report 153, its greeting
//     102). The gateway reads JSON objects from the stream, skipping the
//     padding, whatever their length up to MaxReport; bytes that are not
//     an object are skipped and counted (Stats.Garbage), longer objects
//     dropped and counted (Stats.Oversize).
//   - It closes the socket after a frame that is not JSON, and once a
//     peer has disconnected it serves no one until the board is reset.
//     The gateway never sends a frame it cannot fit in FrameLen (the
//     command gets an ErrFrameTooLong error report instead), says on
//     sys_msg when the link is lost and when a board accepts but never
//     greets (press its reset button), and reconnects with backoff: it
//     never spins on a closed socket.
//   - Without change_diff it sends an analog report on every idle loop,
//     about 100 a second. The gateway sends change_diff
//     (Options.ChangeDiff, default DefaultChangeDiff) when the client
//     gives none, and drops an analog report whose value repeats the
//     last one (Stats.Repeats). The ESP8266 has one ADC: the firmware is
//     sent pin 0 and its reports (always pin 0) are published with the
//     pin the client set as analog input.
//   - Its enable_*_reporting disables reporting, and nothing re-enables
//     it. The gateway sends neither enable nor disable: the gateway base
//     filters the reports of disabled pins instead.
//   - A string value such as "0" drives a pin high. Every value sent is
//     an int (digital values 0 or 1); a board option given as a string
//     (pull_up: "False") is refused with code "bad_command".
//
// # Differences from Python's esp8266_gateway.py
//
//   - The reads are a stream of JSON objects, not fixed 96-byte chunks
//     (Python's short-read accumulator added the wrong length).
//   - set_mode_digital_input sends the translated payload (Python sent the
//     client's).
//   - A command longer than a frame is refused with an error report;
//     Python sent it and the stream desynchronised.
//   - The link reconnects with backoff and its events go to sys_msg;
//     Python's reader thread died, or spun on a closed socket.
//   - Pins are checked as Python's -x does, but an invalid pin is an error
//     report (code "bad_command") rather than a message on the console.
//   - i2c_data reports add "addr" and "register" (of the oldest i2c_read
//     not yet answered).
package esp8266
