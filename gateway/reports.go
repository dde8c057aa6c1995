package gateway

import (
	"fmt"
	"math"
	"time"

	"github.com/gobanyan/banyan"
)

// Report is what a gateway publishes on ReportTopic(device): the spec's
// four reports (DigitalInput, AnalogInput, I2CData, SonarData) and this
// package's ErrorReport. Each encodes itself as a map with a "report" key;
// Map returns that map.
type Report interface {
	// ReportName is the "report" value, for example "digital_input".
	ReportName() string
	// Map is the payload.
	Map() map[string]any
}

// Timestamp converts t to a report timestamp: seconds since the Unix epoch
// as a float, as Python gateways send (time.time()). The OneGPIO PDF
// describes a "2019-02-18 09:31:16" string; on the Banyan bus it has always
// been this float.
func Timestamp(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

// DigitalInput reports a digital input pin's value (0 or 1).
type DigitalInput struct {
	Pin       int
	Value     int
	Timestamp float64 // seconds since the epoch; 0 lets the gateway fill it
}

// AnalogInput reports an analog input pin's value.
type AnalogInput struct {
	Pin       int
	Value     int
	Timestamp float64 // seconds since the epoch; 0 lets the gateway fill it
}

// I2CData answers an i2c_read. Value holds the bytes read (an array of
// ints on the wire, as the ESP8266 gateway sends). Addr and Register are
// this package's additions (omitted when nil) so that a client reading
// several devices can tell the answers apart; Python clients ignore them.
type I2CData struct {
	Value    []int
	Addr     *int
	Register *int
}

// SonarData reports a sonar distance in centimetres. TriggerPin is this
// package's addition (omitted when nil), for boards with several sonars.
// The OneGPIO PDF wrongly names this report "i2c_data"; every gateway
// sends "sonar_data".
type SonarData struct {
	Value      float64
	TriggerPin *int
}

// ErrorReport tells the client a command failed. It is this package's
// addition: Python gateways crash or stay silent instead. Code is one of
// the Code constants; Error is a human-readable message; Command, Tag and
// Pin are those of the failed command, when known.
type ErrorReport struct {
	Code      string
	Error     string
	Command   string
	Tag       string
	Pin       *int
	Timestamp float64
}

// ReportName returns "digital_input".
func (DigitalInput) ReportName() string { return ReportDigitalInput }

// ReportName returns "analog_input".
func (AnalogInput) ReportName() string { return ReportAnalogInput }

// ReportName returns "i2c_data".
func (I2CData) ReportName() string { return ReportI2CData }

// ReportName returns "sonar_data".
func (SonarData) ReportName() string { return ReportSonarData }

// ReportName returns "error".
func (ErrorReport) ReportName() string { return ReportError }

// Map returns the payload.
func (r DigitalInput) Map() map[string]any {
	return map[string]any{"report": ReportDigitalInput, "pin": r.Pin, "value": r.Value, "timestamp": r.Timestamp}
}

// Map returns the payload.
func (r AnalogInput) Map() map[string]any {
	return map[string]any{"report": ReportAnalogInput, "pin": r.Pin, "value": r.Value, "timestamp": r.Timestamp}
}

// Map returns the payload.
func (r I2CData) Map() map[string]any {
	v := r.Value
	if v == nil {
		v = []int{}
	}
	m := map[string]any{"report": ReportI2CData, "value": v}
	optPtr(m, "addr", r.Addr)
	optPtr(m, "register", r.Register)
	return m
}

// Map returns the payload.
func (r SonarData) Map() map[string]any {
	m := map[string]any{"report": ReportSonarData, "value": r.Value}
	optPtr(m, "trigger_pin", r.TriggerPin)
	return m
}

// Map returns the payload. Empty Command and Tag and a zero Timestamp are
// left out.
func (r ErrorReport) Map() map[string]any {
	m := map[string]any{"report": ReportError, "code": r.Code, "error": r.Error}
	if r.Command != "" {
		m["command"] = r.Command
	}
	optTag(m, r.Tag)
	optPtr(m, "pin", r.Pin)
	if r.Timestamp != 0 {
		m["timestamp"] = r.Timestamp
	}
	return m
}

// MarshalMsgpack encodes the report (Map) with banyan.Marshal.
func (r DigitalInput) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// MarshalMsgpack encodes the report (Map) with banyan.Marshal.
func (r AnalogInput) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// MarshalMsgpack encodes the report (Map) with banyan.Marshal.
func (r I2CData) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// MarshalMsgpack encodes the report (Map) with banyan.Marshal.
func (r SonarData) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// MarshalMsgpack encodes the report (Map) with banyan.Marshal.
func (r ErrorReport) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// DecodeReport decodes a msgpack payload received on a report topic; see
// ParseReport.
func DecodeReport(payload []byte) (Report, error) {
	m, err := banyan.DecodeMap(payload)
	if err != nil {
		return nil, fmt.Errorf("gateway: report payload: %w", err)
	}
	return ParseReport(m)
}

// ParseReport turns a decoded payload into a typed Report. It reads the
// reports of Python's gateways too: an i2c_data value given as Arduino's
// comma-separated string, a sonar value as int or float, a missing
// timestamp (0), and the ESP8266 firmware's {"error": "..."} without a
// "report" key (an ErrorReport with an empty Code). Errors wrap
// ErrBadReport.
func ParseReport(m map[string]any) (Report, error) {
	raw, ok := m["report"]
	if !ok {
		if msg, isStr := m["error"].(string); isStr {
			return ErrorReport{Error: msg}, nil
		}
		return nil, fmt.Errorf("%w: payload has no \"report\" key", ErrBadReport)
	}
	name, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("%w: \"report\" is %s, want a str", ErrBadReport, typeName(raw))
	}
	r := &fieldReader{m: m, what: name, sentinel: ErrBadReport}
	var rep Report
	switch name {
	case ReportDigitalInput:
		rep = DigitalInput{Pin: r.reqInt("pin", 0), Value: r.reqInt("value", 0), Timestamp: r.optNumber("timestamp")}
	case ReportAnalogInput:
		rep = AnalogInput{Pin: r.reqInt("pin", 0), Value: r.reqInt("value", -1<<31), Timestamp: r.optNumber("timestamp")}
	case ReportI2CData:
		rep = I2CData{Value: r.i2cValue("value"), Addr: r.optInt("addr", 0), Register: r.optInt("register", 0)}
	case ReportSonarData:
		rep = SonarData{Value: r.number("value"), TriggerPin: r.optInt("trigger_pin", 0)}
	case ReportError:
		rep = ErrorReport{Code: r.optString("code"), Error: r.optString("error"), Command: r.optString("command"),
			Tag: r.optString("tag"), Pin: r.optInt("pin", math.MinInt), Timestamp: r.optNumber("timestamp")}
	default:
		return nil, fmt.Errorf("%w: unknown report %q", ErrBadReport, name)
	}
	if r.err != nil {
		return nil, r.err
	}
	return rep, nil
}
