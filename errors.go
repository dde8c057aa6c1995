package banyan

import "errors"

var (
	// ErrBackplaneNotRunning is returned by Connect when no backplane
	// answered within the connect timeout. Its text is Python Banyan's.
	ErrBackplaneNotRunning = errors.New("Backplane is not running - please start it.")
	// ErrClosed is returned by operations on a closed component.
	ErrClosed = errors.New("banyan: component closed")
	// ErrInvalidTopic is a topic that is not valid UTF-8.
	ErrInvalidTopic = errors.New("banyan: topic is not valid UTF-8")
	// ErrBadFrames is a message that is not [topic, payload].
	ErrBadFrames = errors.New("banyan: message does not have two frames")
	// ErrTooLarge is returned by Publish for a message over the
	// component's maximum message size (WithMaxMessageSize).
	ErrTooLarge = errors.New("banyan: message too large")
	// ErrNoPublisher is returned by Publish on a component made
	// WithoutPublisher.
	ErrNoPublisher = errors.New("banyan: component has no publisher connection")
	// ErrNoSubscriber is returned by Subscribe on a component made
	// WithoutSubscriber.
	ErrNoSubscriber = errors.New("banyan: component has no subscriber connection")
)
