// Package firmatasim is a simulated Arduino Uno running Firmata: the device
// side of Firmata 2.5/2.6, written from the protocol's specification
// (firmata/protocol: protocol.md, i2c.md, servos.md) and pymata-express's
// description of FirmataExpress's sysex, so a host-side driver can be
// tested without a board, byte for byte.
//
// A Device serves one link at a time: Serve on any io.ReadWriter (a
// net.Pipe in tests), ServePTY on a pseudo-terminal that the host opens as
// a serial port, ServeTCP on a listener (a WiFi or Ethernet board). Tests
// drive its inputs (SetDigitalInput, SetAnalogInput, SetSonarDistance,
// Inject) and look at what the host did to it (Mode, Digital, Analog,
// I2CRegister, Tones, Stepper, Resets), waiting for a condition with Wait
// instead of sleeping.
//
// # The board
//
// Pins 0-19 as StandardFirmata presents an Uno: 0 and 1 are the serial
// port (no modes); 2-19 do digital input, pull-up, output and servo; 14-19
// are analog channels 0-5 (10 bits); 3, 5, 6, 9, 10 and 11 do PWM (8 bits);
// 18 and 19 do I2C. At I2C address 0x50 there is a register device:
// register r holds r until written, a write is [register, data...], reads
// start at the register and auto-increment; other addresses do not answer.
// The sampling interval starts at 19 ms.
//
// # Like the firmware
//
// After each reset the bootloader window (Options.BootDelay) passes: what
// arrives meanwhile is lost and nothing is sent. Then StandardFirmata
// announces itself (REPORT_VERSION, REPORT_FIRMWARE); FirmataExpress
// ("FirmataExpress" in Options.Firmware) says nothing until asked.
// Setting a pin to ANALOG turns its reporting on (and any other mode off),
// and turning reporting on sends the value at once; REPORT_DIGITAL on
// sends the port at once, then each change of its inputs. A mode a pin
// lacks is ignored; an unknown mode number gets STRING_DATA "Unknown pin
// mode". Unknown sysex are ignored. A byte with the high bit set starts a
// new message, whatever was in progress (even a sysex), and a sysex longer
// than MaxSysex is dropped; Dropped counts what was skipped.
//
// # Pseudo-terminals
//
// ServePTY puts the pty in raw mode and points a symlink at its slave. On
// Linux it sees each open and close of the slave through inotify, so every
// open resets the board, however quick, as DTR resets an Uno; elsewhere it
// polls the master for POLLHUP every few milliseconds. The board holds no
// slave fd itself. Unplug closes the master: the host's reads fail (with
// go.bug.st/serial, a PortError whose Code is PortClosed) and the link
// disappears, until Replug.
//
// go.bug.st/serial opens the link like a real port as long as
// Mode.InitialStatusBits is nil. A pty has no modem lines: Open with
// InitialStatusBits fails ("inappropriate ioctl for device"), as do SetDTR,
// SetRTS and GetModemStatusBits; ResetInputBuffer and Drain work. A driver
// that wants to toggle DTR to reset a board must treat that error as "not
// a real serial port" rather than fail.
package firmatasim
