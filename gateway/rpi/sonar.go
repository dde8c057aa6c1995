package rpi

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// HC-SR04 timing.
const (
	// triggerPulse is the trigger's high time (the HC-SR04 needs 10 µs).
	triggerPulse = 10 * time.Microsecond
	// maxEcho is the longest echo pulse taken as a distance: the HC-SR04
	// holds echo high for about 38 ms when nothing answers (over 4 m).
	maxEcho = 30 * time.Millisecond
	// soundCMPerSecond is half the speed of sound in cm/s (343 m/s at
	// 20 °C): the echo pulse lasts the way there and back.
	soundCMPerSecond = 34300.0 / 2
)

// EchoDistance converts an HC-SR04 echo pulse's length to centimetres,
// rounded to 2 decimals as Python's gateway reports it. ok is false for a
// pulse that is not a distance (negative, or over 30 ms: no echo).
func EchoDistance(pulse time.Duration) (cm float64, ok bool) {
	if pulse <= 0 || pulse > maxEcho {
		return 0, false
	}
	return math.Round(pulse.Seconds()*soundCMPerSecond*100) / 100, true
}

// SetModeSonar implements gateway.SonarBoard: an HC-SR04 with its trigger
// on triggerPin and its echo on echoPin (through a divider: the echo is
// 5 V). The trigger is pulsed every SonarInterval and each echo's length,
// timed by the kernel's edge timestamps, is reported as sonar_data.
func (b *Board) SetModeSonar(trigger, echo int) error {
	for _, n := range []int{trigger, echo} {
		if err := checkPin(n); err != nil {
			return err
		}
	}
	if trigger == echo {
		return fmt.Errorf("%w: trigger and echo are both BCM %d", ErrOutOfRange, trigger)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.log.Debug("set mode sonar", "trigger_pin", trigger, "echo_pin", echo)
	b.release(trigger)
	b.release(echo)
	tl, err := b.request(trigger, gpiocdev.Config{Output: true})
	if err != nil {
		return err
	}
	el, err := b.request(echo, gpiocdev.Config{Bias: gpiocdev.BiasPullDown, Edges: gpiocdev.EdgeBoth})
	if err != nil {
		tl.Close()
		return err
	}
	var (
		mu   sync.Mutex
		rise time.Duration
		high bool
	)
	w := watch(el, 0, func(_ *watcher, ev gpiocdev.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Rising {
			rise, high = ev.Timestamp, true
			return
		}
		if !high {
			return
		}
		high = false
		if cm, ok := EchoDistance(ev.Timestamp - rise); ok {
			b.emit(gateway.SonarData{Value: cm, TriggerPin: &trigger})
		}
	})
	every := b.o.SonarInterval
	g := &group{pins: []int{trigger, echo}}
	g.job = start(func(stop <-chan struct{}) {
		s := newSleeper(stop)
		for {
			tl.SetValue(1)
			if !s.sleep(triggerPulse) {
				tl.SetValue(0)
				return
			}
			tl.SetValue(0)
			if !s.sleep(every) {
				return
			}
		}
	})
	b.pins[trigger] = &pinState{mode: gateway.ModeSonar, line: tl, group: g}
	b.pins[echo] = &pinState{mode: gateway.ModeSonar, line: el, watch: w, group: g}
	return nil
}
