package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// scrape reads Prometheus text from url: each sample's value by its name
// without labels (the last one wins when labels differ).
func scrape(ctx context.Context, url string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s: %s", url, resp.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(f[0], "{")
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			m[name] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return m, nil
}

// awaitGauges waits (60 s at most) until our backplane counts n
// publishers and n subscribers.
func awaitGauges(ctx context.Context, url string, n float64) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		m, err := scrape(ctx, url)
		if err != nil {
			return err
		}
		p, s := m["banyan_backplane_publishers"], m["banyan_backplane_subscribers"]
		if p == n && s == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the backplane counts %v publishers and %v subscribers, want %v each", p, s, n)
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
