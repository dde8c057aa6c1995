// Package nats bridges a Banyan backplane and NATS (a server or a
// cluster), both ways, with nats.go. Several backplanes bridged through one
// NATS behave as one bus for the topics they share: each site sees the
// others' messages once, never its own back, in order per publisher.
//
// # Topics and subjects
//
// Banyan messages on the topic prefixes Options.Topics (default: every
// topic) go to NATS; NATS messages on Options.Subjects (default
// "banyan.>") come to Banyan. A topic's subject is Options.SubjectPrefix
// (default "banyan.") followed by the topic's "/"-separated parts as
// "."-separated tokens. In a token, ASCII letters, digits, '-' and '_'
// stand for themselves; every other byte, '.', '*', '>', '%', white space,
// controls and each byte of a non-ASCII character, is written %XX in
// upper-case hex; an empty part is the token "%". So:
//
//	sensors/temp      banyan.sensors.temp
//	a.b c             banyan.a%2Eb%20c
//	température       banyan.temp%C3%A9rature
//	""                banyan.%
//	/x/               banyan.%.x.%
//
// Subject and Topic are the mapping and its inverse. A subject some other
// program publishes is read the same way; a token that does not decode is
// taken as it is. Topics longer than MaxTopicLen bytes are counted and
// skipped.
//
// # Headers, payloads and the loop guard
//
// Every exported message carries HeaderTopic (the topic exactly, so any
// topic survives the trip even where a subject could not say it),
// HeaderBridge (the bridge's id) and HeaderEncoding. On import HeaderTopic
// wins over the subject. Payloads are the msgpack bytes unchanged
// (MsgPack, the default) or JSON for consumers that are not Banyan (JSON:
// the project's one msgpack<->JSON converter, internal/msgjson). A payload
// that is not one well-formed msgpack value (or not JSON), a topic that
// cannot be mapped or a reserved topic (banyan.ReservedPrefix) is logged,
// counted and skipped.
//
// The loop guard has two halves: a NATS message carrying this bridge's id
// is not imported (Stats.OwnSkipped), and a message the bridge imported,
// which its own Banyan subscription brings back, is not exported again
// (Stats.Echoes, with internal/loopguard). So bridges on any number of
// sites, all exporting and importing everything, never loop.
//
// # Connections
//
// Options.Servers are one server or a cluster, with TLS, user and
// password, a token, an NKey seed or a credentials file (JWT). A lost
// connection is re-established for ever; meanwhile nats.go keeps up to
// Options.ReconnectBuffer bytes of publishes, and a publish that does not
// fit is dropped and counted (Stats.Dropped). Close drains the connection.
//
// # JetStream
//
// With Options.JetStream, exports are publishes to that stream, each kept
// (up to Options.PendingLimit) until the stream acknowledges it and sent
// again after a failure or a reconnection, with a Nats-Msg-Id so that the
// stream stores it once. Imports come from a durable consumer
// (Options.Durable), so a site that was offline catches up on what it
// missed. The stream is created with file storage and the subjects
// SubjectPrefix + ">" if it does not exist. JetStream needs a BridgeID
// that stays the same across restarts, one per site.
package nats
