// Package webview is a live web view of a Banyan bus, for people: what is
// connected, which topics flow and how fast, each topic's last value, and
// who drops messages. `banyan backplane --http ADDR` serves it for our
// backplane (with its connections); `banyan web` serves it as a component
// of any backplane (Python's, js-banyan's, ours), from what a
// subscribe-all component sees.
//
// A View counts every message it observes (Observe; a backplane calls it
// through Backplane.Watch) against its topic, and keeps a reference to the
// topic's last payload: no copy, no clock read, no allocation, no lock
// shared between topics. Once per tick (Options.Interval) a sampler turns
// the counts into rates and a few minutes of history. Payloads are
// rendered, in Python's repr and in JSON with the project's one formatter
// of each, only while a page watches, and only when they changed. Past
// Options.MaxTopics, topics are counted together as "other".
//
// Handler serves the embedded page (plain HTML, CSS and JS: nothing is
// loaded from elsewhere), its JSON and server-sent events, an optional
// publish endpoint, /metrics and /healthz. Listen refuses a non-loopback
// address unless Options.Token is set; with a token every request must
// carry it.
package webview
