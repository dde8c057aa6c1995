package benchmark

import (
	"context"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// runOn runs cfg against an in-process backplane of ours.
func runOn(t *testing.T, cfg RunConfig) RunResult {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	res, err := Run(ctx, Banyan(bp.Options()...), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunComplete(t *testing.T) {
	res := runOn(t, RunConfig{Pubs: 2, Subs: 3, Msgs: 2001, Size: 64})
	t.Logf("%+v", res)
	if res.Published != 2001 || res.Expected != 3*2001 || res.Delivered != res.Expected || res.Lost != 0 || res.OutOfOrder != 0 || res.Foreign != 0 {
		t.Fatalf("published %d, delivered %d of %d, lost %d, out of order %d, foreign %d",
			res.Published, res.Delivered, res.Expected, res.Lost, res.OutOfOrder, res.Foreign)
	}
	l := res.Latency
	if !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max && l.Mean > 0 && l.Mean <= l.Max) {
		t.Fatalf("latency percentiles not ordered or zero: %+v", l)
	}
	if res.Bus != "banyan" || res.Pubs != 2 || res.Subs != 3 || res.Size != 64 || res.Subscriptions != 1 {
		t.Fatalf("configuration not reported: %+v", res)
	}
	if res.Seconds <= 0 || res.DeliveredMsgPerSec <= 0 || res.DeliveredBytesPerSec != res.DeliveredMsgPerSec*64 || res.PublishMsgPerSec <= 0 {
		t.Fatalf("rates: %+v", res)
	}
}
