// Package multi connects one component to several backplanes, as Python
// Banyan's BanyanBaseMulti does, using the same CSV routing spec:
//
//	backplane_name,ip_address,subscriber_port,subscriber_topic,publisher_port
//	BP1,127.0.0.1,43125,"[echo]",43124
//	BP2,127.0.0.1,43127,"[notice,alarm]",43126
//	Sensors,192.168.2.191,,"",43128
//
// Each row names a backplane and where it is. An empty subscriber_port means
// the component does not receive from that backplane, an empty
// publisher_port that it does not publish to it. subscriber_topic is a
// bracketed, comma-separated list (quoted, because of the commas) of topic
// prefixes subscribed when the component opens.
//
// Each row with a port is one banyan.Component, so every backplane
// connection has the guarantees of a plain component: Open returns when
// all of them are ready and subscribed, they reconnect by themselves after
// a backplane restart, and malformed input is skipped and counted, never
// fatal. Publish and PublishRaw send to one backplane by name, Broadcast to
// all; Subscribe, SubscribeSync and Unsubscribe act on one backplane; Run
// receives from all of them at once and tells the handler which backplane
// delivered each message.
//
// Options for every connection go through WithComponentOptions, and those
// of one backplane through WithBackplaneOptions: a backplane closed with
// CURVE gets its own server key that way (banyan.WithCurve), while the
// others stay open.
//
// # Differences from Python Banyan
//
// Files that Python accepts are accepted, with the same meaning, except
// where Python's behaviour is a bug:
//
//   - "[]" subscribes to nothing. Python turns it into the topic "", which
//     subscribes to every message. An empty element, as in "[a,,b]" or
//     "[a,]", is an error (ErrEmptyTopic) for the same reason. To receive
//     everything, call Subscribe(name, "").
//   - White space around topics ("[a, b]") is trimmed; Python rejects the
//     file. WithStrict restores the rejection. White space inside a topic
//     is an error in both modes (ErrSpaceInTopic), as in Python.
//   - The brackets must be the first and last characters of the field
//     (after trimming). Python only checks that both appear somewhere and
//     then drops the first and last characters, whatever they are.
//   - The whole file is validated before anything is connected, and every
//     error is reported (errors.Join of *SpecError, each naming the file,
//     line, row and column), not only the first. Python connects each row
//     before checking its topics, so a bad row leaves sockets open. If a
//     backplane does not answer, Open closes the connections it made.
//   - Ports must be numbers from 1 to 65535, ip_address must not be
//     empty, backplane_name must not be empty; Python passes them to
//     ZeroMQ verbatim. Cells are trimmed, rows whose cells are all empty
//     are skipped, and a UTF-8 byte order mark before the header is
//     ignored.
//   - Receiving is event-driven over all backplanes together. Python polls
//     each socket in turn and sleeps loop_time after every idle one, so one
//     idle backplane slows down all the others. Python's non-numpy receive
//     path also fails at the first message (it calls a module it no longer
//     imports); here payloads are msgpack, decoded as banyan.Message does.
//   - The handler is told which backplane delivered each message.
//   - Unsubscribe works on any backplane; Broadcast is a method, not the
//     magic socket name "BROADCAST"; publishing to an unknown backplane or
//     one without a publisher port is an error (ErrUnknownBackplane,
//     ErrNoPublisher).
//   - The messages of ErrDuplicateName, ErrMissingBracket and
//     ErrSpaceInTopic are Python's (without the trailing space of the
//     bracket message).
//
// # One-sided rows
//
// A row with only a publisher port (or only a subscriber port) opens only
// that connection, as Python does (banyan.WithoutSubscriber or
// WithoutPublisher). It is ready when Open returns all the same: a
// publish-only connection once the backplane has subscribed to it, a
// subscribe-only one once the backplane has applied its subscriptions.
// Publish or Subscribe on the missing side return ErrNoPublisher or
// ErrNoSubscriber.
package multi
