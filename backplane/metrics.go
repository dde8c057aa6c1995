package backplane

import "github.com/prometheus/client_golang/prometheus"

// Collectors returns Prometheus metrics for the backplane, read from Stats
// at scrape time: banyan_backplane_forwarded_total, _dropped_total,
// _bad_input_total, _refused_total, _subscriptions_refused_total,
// _unauthorized_total,
// _publishers and _subscribers, labelled with the
// backplane's name. Register them with a prometheus.Registry.
func (b *Backplane) Collectors() []prometheus.Collector {
	labels := prometheus.Labels{"backplane": b.opts.Name}
	counter := func(name, help string, get func(Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "banyan", Subsystem: "backplane", Name: name, Help: help, ConstLabels: labels,
		}, func() float64 { return float64(get(b.Stats())) })
	}
	gauge := func(name, help string, get func(Stats) int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "banyan", Subsystem: "backplane", Name: name, Help: help, ConstLabels: labels,
		}, func() float64 { return float64(get(b.Stats())) })
	}
	return []prometheus.Collector{
		counter("forwarded_total", "Messages received from publishers and offered to subscribers.",
			func(s Stats) uint64 { return s.Forwarded }),
		counter("dropped_total", "Messages dropped at a full subscriber queue (HWM).",
			func(s Stats) uint64 { return s.Dropped }),
		counter("bad_input_total", "Connections closed for malformed or oversized input or a refused handshake.",
			func(s Stats) uint64 { return s.BadInput }),
		counter("refused_total", "Messages over the maximum message size, dropped (the connection stays up).",
			func(s Stats) uint64 { return s.Refused }),
		counter("subscriptions_refused_total", "Subscriptions past a subscriber's limit, ignored.",
			func(s Stats) uint64 { return s.SubscriptionsRefused }),
		counter("unauthorized_total", "CURVE clients refused because their key is not authorized.",
			func(s Stats) uint64 { return s.Unauthorized }),
		gauge("publishers", "Components connected to the publisher port.",
			func(s Stats) int { return s.Publishers }),
		gauge("subscribers", "Components connected to the subscriber port.",
			func(s Stats) int { return s.Subscribers }),
	}
}
