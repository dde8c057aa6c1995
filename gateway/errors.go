package gateway

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan"
)

// Errors. The gateway turns each into an error report whose code names it
// (see ErrorCode).
var (
	// ErrMissingCommand is a command payload without a "command" key.
	ErrMissingCommand = errors.New("gateway: payload has no \"command\" key")
	// ErrUnknownCommand is a "command" that is not one of the 22 OneGPIO
	// commands (and that no Options.Other hook took).
	ErrUnknownCommand = errors.New("gateway: unknown command")
	// ErrBadCommand is a command with a missing field or a field of the
	// wrong type or range.
	ErrBadCommand = errors.New("gateway: bad command")
	// ErrUnknownTag is a command that names a pin by a tag the gateway has
	// not seen with a pin yet (the first message with a tag must carry the
	// pin).
	ErrUnknownTag = errors.New("gateway: unknown tag")
	// ErrTagConflict is a command that carries both a tag and a pin when the
	// tag is already bound to another pin. Only set_mode_* commands rebind
	// a tag.
	ErrTagConflict = errors.New("gateway: tag is bound to another pin")
	// ErrUnsupported is a command the board cannot carry out: its driver
	// lacks the optional interface, or it returned an error wrapping
	// ErrUnsupported. It wraps errors.ErrUnsupported.
	ErrUnsupported = fmt.Errorf("gateway: not supported by the board: %w", errors.ErrUnsupported)
	// ErrBadReport is a report payload that ParseReport cannot read.
	ErrBadReport = errors.New("gateway: bad report")
)

// Error codes: the "code" field of an error report.
const (
	CodeBadPayload     = "bad_payload"     // the payload is not a msgpack map (banyan.ErrBadPayload)
	CodeMissingCommand = "missing_command" // ErrMissingCommand
	CodeUnknownCommand = "unknown_command" // ErrUnknownCommand
	CodeBadCommand     = "bad_command"     // ErrBadCommand
	CodeUnknownTag     = "unknown_tag"     // ErrUnknownTag
	CodeTagConflict    = "tag_conflict"    // ErrTagConflict
	CodeUnsupported    = "unsupported"     // ErrUnsupported, errors.ErrUnsupported
	CodeBoard          = "board_error"     // any other error from the board
)

// ErrorCode returns the error report code for err.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, banyan.ErrBadPayload):
		return CodeBadPayload
	case errors.Is(err, ErrMissingCommand):
		return CodeMissingCommand
	case errors.Is(err, ErrUnknownCommand):
		return CodeUnknownCommand
	case errors.Is(err, ErrBadCommand):
		return CodeBadCommand
	case errors.Is(err, ErrUnknownTag):
		return CodeUnknownTag
	case errors.Is(err, ErrTagConflict):
		return CodeTagConflict
	case errors.Is(err, errors.ErrUnsupported):
		return CodeUnsupported
	default:
		return CodeBoard
	}
}
