package webview

import "github.com/prometheus/client_golang/prometheus"

// Collectors returns the view's own Prometheus metrics, read at scrape
// time: banyan_web_topics (topics tracked one by one),
// banyan_web_other_messages_total (messages on topics past MaxTopics) and
// banyan_web_watchers (pages watching now). Register them with the
// registry given as Options.Metrics, beside the bus's own.
func (v *View) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "banyan", Subsystem: "web", Name: "topics",
			Help: "Topics the web view tracks one by one."},
			func() float64 { return float64(v.topics.len()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "banyan", Subsystem: "web", Name: "other_messages_total",
			Help: `Messages on topics past the web view's topic limit, counted as "other".`},
			func() float64 {
				o := v.topics.other
				o.mu.Lock()
				defer o.mu.Unlock()
				return float64(o.msgs)
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "banyan", Subsystem: "web", Name: "watchers",
			Help: "Pages watching the web view's event stream now."},
			func() float64 { return float64(v.nwatch.Load()) }),
	}
}
