// Package firmata drives an Arduino (or any board) running Firmata as a
// gateway.Board, so the OneGPIO gateway serves it on the Banyan bus as
// Python Banyan's arduino_gateway does.
//
// The protocol is Firmata 2.5/2.6 (the firmata/protocol repository's
// protocol.md, i2c.md and servos.md), written here from the spec:
// StandardFirmata's digital and analog I/O and reporting, PWM, servo,
// i2c (read once, write, continuous read), the capability and analog
// mapping queries and the sampling interval; and, when the firmware's name
// contains "FirmataExpress", that firmware's sysex commands (documented
// by pymata-express): ARE_YOU_THERE/I_AM_HERE, tone, HC-SR04 sonar,
// stepper and keep-alive.
//
// # Links
//
// New opens the link Options name: a serial port (go.bug.st/serial; no
// modem-control ioctl is made, so ptys, Bluetooth serial and adapters
// without DTR/RTS work), a TCP connection (StandardFirmataWiFi/Ethernet,
// ESP32; port 3030 by default), or, with neither, every port matching
// Options.Patterns at once, keeping the first board that answers (with
// Options.InstanceID when set: FirmataExpress's arduino_instance_id).
//
// Opening the port resets an Uno, and what it receives in its bootloader
// window is lost: the driver sends only queries (REPORT_VERSION,
// REPORT_FIRMWARE, then ARE_YOU_THERE, the capability and analog mapping
// queries), each every Options.PollInterval until answered, and gives up
// after Options.StartTimeout with a message naming the port and how far
// the board got.
//
// Run keeps the link: when it is lost (the cable is pulled) the gateway
// publishes a gateway.SystemMessage on sys_msg, commands get an error
// (ErrNotConnected, code "board_error"), and the driver reconnects with
// backoff, re-applies pin modes, outputs, reporting, i2c and sonar
// configuration and the sampling interval, and says so on sys_msg.
//
// # OneGPIO on Firmata
//
//   - set_mode_digital_input(_pullup): SET_PIN_MODE INPUT (PULLUP) and
//     REPORT_DIGITAL for the pin's port. Digital inputs are reported when
//     their value changes (and their first value), only for pins in an
//     input mode.
//   - set_mode_analog_input: pin is the analog channel (A0 is 0);
//     SET_PIN_MODE ANALOG on the pin the analog mapping gives and
//     REPORT_ANALOG. Reported with that channel as "pin" when the value
//     moves by Options.AnalogChange (1: every change).
//   - set_mode_digital_output, digital_write: SET_PIN_MODE OUTPUT, and a
//     DIGITAL_MESSAGE with the port's levels.
//   - set_mode_pwm, pwm_write; set_mode_servo, servo_position:
//     SET_PIN_MODE (after SERVO_CONFIG 544-2400 µs for a servo), and
//     ANALOG_MESSAGE or EXTENDED_ANALOG for pins above 15.
//   - set_mode_i2c, i2c_write, i2c_read: I2C_CONFIG, I2C_REQUEST; a read
//     waits for its I2C_REPLY (ErrTimeout after Options.I2CTimeout, naming
//     the address). An i2c_read with "continuous": true starts a
//     continuous read whose replies are i2c_data reports; "stop": true
//     stops it.
//   - set_mode_tone, play_tone, set_mode_sonar, set_mode_stepper,
//     stepper_write: FirmataExpress only.
//
// A pin or mode the capability report does not list, and a FirmataExpress
// command on other firmware, is refused with an error wrapping
// gateway.ErrUnsupported that names the pin, the mode and the pins that
// can (the gateway answers it with an "unsupported" error report). An
// operation on a pin not set to its mode is ErrWrongMode, a value beyond
// what the pin takes ErrOutOfRange.
//
// # Hostile input
//
// Bytes that belong to no message, messages cut short by the next status
// byte and sysex messages longer than Options.MaxSysex (4 KiB) are
// skipped and counted (Stats); the parser's memory grows with the bytes of
// one sysex received, never beyond that limit.
//
// # Differences from Python's arduino_gateway
//
// The topics, commands and report keys are Python's. The behaviour:
//   - A pin or mode the board lacks, or tone, sonar or stepper without
//     FirmataExpress, gets an "unsupported" error report; a write to a pin
//     in another mode, or a value out of range, a "board_error" one.
//     Python raises (which ends its receive loop) or does nothing.
//   - enable_*_reporting enables (the gateway base's fix).
//   - Unplugging is announced on sys_msg, commands meanwhile get
//     "board_error", and the board is found again and its state restored;
//     Python's gateway dies.
//   - i2c_data's value is an array of ints, with "addr" and "register";
//     Python sends a comma-joined string that includes metadata.
//     i2c_write sends its register before the data (Python ignores it).
//     Continuous reads are new ("continuous": true, "stop": true).
//   - Analog inputs are reported when they change (Options.AnalogChange),
//     as pymata-express's differential; digital inputs and sonars too.
//   - StandardFirmata (at 57600 baud) and TCP boards work as well;
//     Python's gateway needs FirmataExpress over USB.
//   - Auto-detection opens every candidate port at once rather than in
//     turn; with an instance id, a board that is not FirmataExpress is
//     passed over.
package firmata
