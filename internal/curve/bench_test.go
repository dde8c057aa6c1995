package curve

import "testing"

// BenchmarkSeal seals one 100-byte frame into a reused buffer.
func BenchmarkSeal(b *testing.B) {
	h := newFixedHandshake(b, stepDone)
	body := make([]byte, 100)
	dst := make([]byte, 0, MessageOverhead+len(body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		dst = h.clientSession.Seal(dst[:0], 0, body)
	}
}

// BenchmarkOpen opens one 100-byte frame into a reused buffer. The boxes
// are sealed beforehand, since each nonce opens once.
func BenchmarkOpen(b *testing.B) {
	h := newFixedHandshake(b, stepDone)
	body := make([]byte, 100)
	const batch = 4096
	boxes := make([][]byte, batch)
	dst := make([]byte, 0, len(body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	i := batch
	for b.Loop() {
		if i == batch {
			b.StopTimer()
			for j := range boxes {
				boxes[j] = h.clientSession.Seal(boxes[j][:0], 0, body)
			}
			i = 0
			b.StartTimer()
		}
		var err error
		if _, dst, err = h.srvSession.Open(dst[:0], boxes[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestSealOpenAllocs holds Seal and Open to no allocation when dst has room.
func TestSealOpenAllocs(t *testing.T) {
	h := newFixedHandshake(t, stepDone)
	body := make([]byte, 100)
	sealed := make([]byte, 0, MessageOverhead+len(body))
	opened := make([]byte, 0, len(body))
	h.clientSession.Seal(nil, 0, body) // the scratch buffer grows once
	allocs := testing.AllocsPerRun(100, func() {
		sealed = h.clientSession.Seal(sealed[:0], FlagMore, body)
		var err error
		if _, opened, err = h.srvSession.Open(opened[:0], sealed); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Seal+Open: %v allocations, want 0", allocs)
	}
}

// BenchmarkHandshake is one whole handshake, both sides (the key
// agreements dominate: what a backplane pays per connecting client).
func BenchmarkHandshake(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newFixedHandshake(b, stepDone)
	}
}
