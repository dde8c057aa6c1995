package launch

import (
	"errors"
	"fmt"
	"strconv"
)

// Topics of the launcher protocol. killall and ACK<topic> are Python's.
const (
	killallTopic        = "killall"
	ackPrefix           = "ACK"
	statusTopic         = "banyan_launch_status"
	statusRequestTopic  = "banyan_launch_status_request"
	keyError            = "banyan_error"
	killallPayloadValue = "exit"
)

// KillallTopic is the topic every launcher and launch client (Go or
// Python) stops on; its payload is {'exit': 'exit'}.
const KillallTopic = killallTopic

// AckTopic is the topic a launch client acknowledges records of topic on.
func AckTopic(topic string) string { return ackPrefix + topic }

// ErrBadRecord is a launch record or ack with missing or mistyped keys.
var ErrBadRecord = errors.New("launch: malformed launch record")

func yesText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// newRecord builds the launch record for a remote entry, with the ten keys
// and types Python's bls publishes (launch_id an int, process and
// process_id None, the rest strings), plus our session key.
func newRecord(e Entry, command string, launchID int, session string) map[string]any {
	return map[string]any{
		"append_bp_address": yesText(e.AppendBackplane),
		"auto_restart":      yesText(e.AutoRestart),
		"command_string":    command,
		"process":           nil,
		"process_id":        nil,
		"spawn":             yesText(e.Spawn),
		"topic":             e.Topic,
		"reply_topic":       AckTopic(e.Topic),
		"launch_id":         launchID,
		"wait":              strconv.FormatFloat(e.Wait.Seconds(), 'f', -1, 64),
		KeySession:          session,
	}
}

// remoteRecord is what a launch client takes from a record.
type remoteRecord struct {
	command     string
	spawn       bool
	autoRestart bool
	topic       string
	replyTopic  string
	launchID    int64
	session     string
}

func str(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

func parseRecord(m map[string]any) (remoteRecord, error) {
	var r remoteRecord
	var ok bool
	if r.command, ok = str(m, "command_string"); !ok || r.command == "" {
		return r, fmt.Errorf("%w: command_string missing or not a string", ErrBadRecord)
	}
	if r.topic, ok = str(m, "topic"); !ok {
		return r, fmt.Errorf("%w: topic missing or not a string", ErrBadRecord)
	}
	if r.replyTopic, ok = str(m, "reply_topic"); !ok || r.replyTopic == "" {
		return r, fmt.Errorf("%w: reply_topic missing or not a string", ErrBadRecord)
	}
	if r.launchID, ok = m["launch_id"].(int64); !ok {
		return r, fmt.Errorf("%w: launch_id missing or not an int", ErrBadRecord)
	}
	spawn, _ := str(m, "spawn")
	auto, _ := str(m, "auto_restart")
	r.spawn, r.autoRestart = spawn == "yes", auto == "yes" // Python's rule: exactly "yes"
	r.session, _ = str(m, KeySession)
	return r, nil
}

// newAck builds the acknowledgement Python's blc sends, plus our session
// and, when the launch failed, the error (process_id is then 0).
func newAck(r remoteRecord, pid int, launchErr error) map[string]any {
	m := map[string]any{"command_string": r.command, "process_id": pid, "launch_id": r.launchID}
	if r.session != "" {
		m[KeySession] = r.session
	}
	if launchErr != nil {
		m[keyError] = launchErr.Error()
	}
	return m
}
