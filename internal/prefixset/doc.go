// Package prefixset holds the topic prefixes a ZMTP PUB or SUB socket is
// subscribed to and tells whether a message topic starts with any of them.
//
// A [Set] is a path-compressed (radix) trie of immutable nodes behind an
// atomic pointer. [Set.Match] loads the pointer and walks at most
// len(topic) bytes down it, without locks or allocation, so its cost does
// not grow with the number of subscriptions; subscribing to "" (everything)
// makes it one load and a branch. [Set.Add] and [Set.Remove] copy only the
// nodes on the path to the prefix and publish the new root, so they cost
// O(len(prefix)) and readers never see a half-made change:
//
//	var s prefixset.Set
//	s.Add("sensor/")                     // on SUBSCRIBE
//	s.Match([]byte("sensor/7/temp"))     // true, from any goroutine
//	s.Remove("sensor/")                  // on CANCEL
//
// Writers (Add, Remove, Clear) must be serialised by the caller; Match, Has
// and Len may run concurrently with them and with each other.
//
// A Set is a set: adding a prefix twice and removing it once leaves it out.
// Sockets that must count duplicate subscriptions, as ZeroMQ does, keep the
// counts themselves and call Add on the first and Remove on the last.
package prefixset
