// Package sim is a simulated board for the OneGPIO gateway: a Board with
// digital and analog pins, PWM, servo, tone, a stepper, sonars and i2c
// devices, all in memory. Tests and demos drive its inputs
// (SetDigitalInput, SetAnalogInput, SetSonarDistance, Animate) and read
// back what commands did to its outputs (Digital, Analog, Tones, Stepper),
// so OneGPIO clients can be tried without hardware:
//
//	banyan gateway sim
//
// runs one on the bus as device "sim" (topics to_sim_gateway and
// from_sim_gateway).
//
// The board behaves like an Arduino Uno running Firmata: digital pins
// 0-19, analog pins 0-5 numbered apart from the digital ones, PWM duty
// 0-255, analog values 0-1023, servo angles 0-180. Writes need the matching
// mode (digital_write needs set_mode_digital_output first); the errors
// become error reports on the gateway's report topic. An input reports its
// value when it becomes an input, when reporting is enabled again, and on
// every change. A pull-up input that nothing drives reads 1.
package sim
