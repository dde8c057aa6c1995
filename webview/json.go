package webview

// The JSON the page reads: GET /api/snapshot, the event stream's events
// ("full" first, then one "tick" per Interval), GET /api/history.

type snapshotJSON struct {
	Type        string         `json:"type"` // "full" or "tick"
	Time        int64          `json:"time"` // Unix ms
	Name        string         `json:"name"`
	Mode        string         `json:"mode"` // "backplane" or "component"
	Publish     bool           `json:"publish"`
	IntervalMS  int64          `json:"interval_ms"`
	MaxTopics   int            `json:"max_topics"`
	History     int            `json:"history"`
	Totals      totalsJSON     `json:"totals"`
	Backplane   *backplaneJSON `json:"backplane,omitempty"`
	Topics      []topicJSON    `json:"topics"`
	Connections []connJSON     `json:"connections,omitempty"`
}

type totalsJSON struct {
	Messages uint64  `json:"messages"`
	Bytes    uint64  `json:"bytes"` // payload bytes
	Rate     float64 `json:"rate"`  // msg/s over the last tick
	ByteRate float64 `json:"byte_rate"`
	Topics   int     `json:"topics"` // tracked one by one
	Watchers int     `json:"watchers"`
}

type backplaneJSON struct {
	Forwarded   uint64 `json:"forwarded"`
	Dropped     uint64 `json:"dropped"`
	Publishers  int    `json:"publishers"`
	Subscribers int    `json:"subscribers"`
	BadInput    uint64 `json:"bad_input"`
	Refused     uint64 `json:"refused"`
}

type topicJSON struct {
	Topic    string     `json:"topic"`
	Other    bool       `json:"other,omitempty"` // the row of the topics past MaxTopics
	Messages uint64     `json:"messages"`
	Bytes    uint64     `json:"bytes"`
	Rate     float64    `json:"rate"`
	ByteRate float64    `json:"byte_rate"`
	LastSeen int64      `json:"last_seen,omitempty"` // Unix ms of the tick that saw the last message
	Last     *lastValue `json:"last,omitempty"`      // in a tick, only when it changed
}

type connJSON struct {
	Role          string   `json:"role"`
	Remote        string   `json:"remote"`
	PeerType      string   `json:"peer_type"`
	ZMTP          string   `json:"zmtp"`
	Since         int64    `json:"since"` // Unix ms
	Messages      uint64   `json:"messages"`
	Bytes         uint64   `json:"bytes"`
	Rate          float64  `json:"rate"`
	Dropped       uint64   `json:"dropped"`
	DropRate      float64  `json:"drop_rate"`
	Queued        int      `json:"queued"`
	QueuedBytes   int64    `json:"queued_bytes"`
	Subscriptions int      `json:"subscriptions"`
	Prefixes      []string `json:"prefixes,omitempty"`
}

type historyJSON struct {
	IntervalMS int64     `json:"interval_ms"`
	End        int64     `json:"end"` // Unix ms of the last point
	Rate       []float32 `json:"rate"`
	ByteRate   []float32 `json:"byte_rate"`
}
