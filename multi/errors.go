package multi

import "errors"

// Errors in a routing specification. Except ErrNoSpecFile, they reach the
// caller inside a *SpecError, which says where (file, line, row, column);
// test for them with errors.Is. The texts of ErrDuplicateName, ErrMissingBracket,
// ErrSpaceInTopic and ErrNoSpecFile are Python Banyan's.
var (
	// ErrNoSpecFile: the spec file was not named or cannot be opened.
	ErrNoSpecFile = errors.New("Can't find backplane configuration file")
	// ErrHeader: the header line is missing, or lacks a column, or names
	// one twice.
	ErrHeader = errors.New("bad header: want backplane_name,ip_address,subscriber_port,subscriber_topic,publisher_port")
	// ErrEmptySpec: the spec has no backplane rows.
	ErrEmptySpec = errors.New("no backplanes in the spec")
	// ErrDuplicateName: two rows have the same backplane_name.
	ErrDuplicateName = errors.New("Duplicate Back Plane Name - check your .csv file")
	// ErrMissingName: a row has an empty backplane_name.
	ErrMissingName = errors.New("backplane_name is empty")
	// ErrBadAddress: a row's ip_address is empty or contains a space.
	ErrBadAddress = errors.New("ip_address must be a host name or IP address")
	// ErrBadPort: a port is neither empty nor a number from 1 to 65535.
	ErrBadPort = errors.New("port must be empty or a number from 1 to 65535")
	// ErrMissingBracket: the topic list of a row with a subscriber port is
	// not written "[topic,topic,...]".
	ErrMissingBracket = errors.New(`Topic field must begin with "[" and end with "]"`)
	// ErrSpaceInTopic: a topic contains white space (or, with WithStrict,
	// the topic field contains a space anywhere, as Python checks).
	ErrSpaceInTopic = errors.New("Topics may not contain a space character")
	// ErrEmptyTopic: a topic list has an empty element, as in "[a,,b]" or
	// "[a,]". Python subscribes such an element to every topic; to receive
	// everything, call Subscribe(name, "") instead.
	ErrEmptyTopic = errors.New("empty topic in the list (Python would subscribe to every topic)")
	// ErrBadTopic: a topic is not valid UTF-8 or contains a bracket.
	ErrBadTopic = errors.New("topic must be UTF-8 without brackets")
)

// Errors of a running multi-backplane component.
var (
	// ErrUnknownBackplane: no row of the spec has that backplane_name.
	ErrUnknownBackplane = errors.New("backplane not found in the spec")
	// ErrNoPublisher: the backplane's row has no publisher_port.
	ErrNoPublisher = errors.New("backplane has no publisher_port in the spec")
	// ErrNoSubscriber: the backplane's row has no subscriber_port.
	ErrNoSubscriber = errors.New("backplane has no subscriber_port in the spec")
)
