package service

import (
	"log/slog"
	"sync/atomic"
)

// FirstWarn counts occurrences of one kind of problem and gives the level
// to log each at: slog.LevelWarn for the first, slog.LevelDebug for the
// rest. The zero value is ready; it is safe from any goroutine.
type FirstWarn struct{ n atomic.Uint64 }

// Level counts one occurrence and returns its log level.
func (f *FirstWarn) Level() slog.Level {
	if f.n.Add(1) == 1 {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}
