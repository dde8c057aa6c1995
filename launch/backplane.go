package launch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
)

// ErrRemoteBackplane is returned when no backplane answers at an address
// that is not this host's, so the launcher cannot start one there.
var ErrRemoteBackplane = errors.New("launch: no backplane answers there, and it is not on this host")

// connectOrStart connects to the backplane; when none answers and the
// address is this host's, it starts one first (as a child process running
// cmd, or in this process when cmd is empty) and returns how to stop it.
func (l *Launcher) connectOrStart(ctx context.Context, subs []string) (*banyan.Component, func(), error) {
	opts := l.componentOptions(subs...)
	c, err := banyan.Connect(ctx, append(opts, banyan.WithConnectTimeout(l.o.ProbeTimeout))...)
	if err == nil {
		l.out.printf(l.self, "backplane already running at %s", l.where())
		return c, func() {}, nil
	}
	if !errors.Is(err, banyan.ErrBackplaneNotRunning) || l.o.NoStartBackplane {
		return nil, nil, err
	}
	host := l.o.Backplane
	if host == "" {
		host = os.Getenv(banyan.EnvBackplane)
	}
	if host != "" && !isLocalHost(ctx, host) {
		return nil, nil, fmt.Errorf("launch: %s: %w: start a backplane there or give -b", l.where(), ErrRemoteBackplane)
	}
	var stop func()
	if i := backplaneRow(l.entries); i >= 0 {
		// The launch file starts the backplane itself (Python launch files
		// often do): start that row first, instead of a backplane of ours.
		e := l.entries[i]
		l.out.printf(l.self, "no backplane answered at %s: starting the launch file's backplane first (%s: %s)", l.where(), e.Where, e.Command)
		po := l.o.Process
		po.Subreaper = false
		bpSup := newSupervisor(po, l.out, l.log, l.self)
		if _, _, err := bpSup.launch(e); err != nil {
			return nil, nil, fmt.Errorf("launch: starting the backplane (%s): %w", e.Where, err)
		}
		stop = bpSup.stopAll
		l.entries = slices.Delete(slices.Clone(l.entries), i, i+1)
	} else if len(l.o.BackplaneCommand) > 0 {
		l.out.printf(l.self, "no backplane answered at %s: starting one", l.where())
		bpSup := newSupervisor(ProcessOptions{Output: l.o.Process.Output, KillTimeout: l.o.Process.KillTimeout, Subreaper: false}, l.out, l.log, l.self)
		_, _, err := bpSup.launch(Entry{Name: "backplane", Command: JoinCommand(l.o.BackplaneCommand), Args: l.o.BackplaneCommand, Topic: LocalTopic})
		if err != nil {
			return nil, nil, fmt.Errorf("launch: starting the backplane: %w", err)
		}
		stop = bpSup.stopAll
	} else {
		bp, err := backplane.New(backplane.Options{Bind: l.o.BackplaneBind, PublisherPort: l.pubPort(), SubscriberPort: l.subPort(), Logger: l.log})
		if err != nil {
			return nil, nil, fmt.Errorf("launch: starting the backplane: %w", err)
		}
		l.out.printf(l.self, "no backplane answered at %s: started one in this process", l.where())
		stop = func() { bp.Close() }
	}
	c, err = banyan.Connect(ctx, append(opts, banyan.WithConnectTimeout(10*time.Second))...)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("launch: the backplane we started does not answer: %w", err)
	}
	return c, stop, nil
}

// backplaneRow returns the index of the first local entry that runs a
// backplane ("backplane ..." as Python's launch files say, or "banyan
// backplane ..."), or -1.
func backplaneRow(entries []Entry) int {
	for i, e := range entries {
		if e.Local() && isBackplaneCommand(e.Args) {
			return i
		}
	}
	return -1
}

func isBackplaneCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	prog := strings.TrimSuffix(filepath.Base(args[0]), ".exe")
	return prog == "backplane" || prog == "banyan" && len(args) > 1 && args[1] == "backplane"
}

func (l *Launcher) pubPort() int {
	if l.o.PublisherPort != 0 {
		return l.o.PublisherPort
	}
	return banyan.DefaultPublisherPort
}

func (l *Launcher) subPort() int {
	if l.o.SubscriberPort != 0 {
		return l.o.SubscriberPort
	}
	return banyan.DefaultSubscriberPort
}

func (l *Launcher) where() string {
	h := l.o.Backplane
	if h == "" {
		h = os.Getenv(banyan.EnvBackplane)
	}
	if h == "" {
		h = "this host"
	}
	return net.JoinHostPort(h, strconv.Itoa(l.pubPort())) + "/" + strconv.Itoa(l.subPort())
}

// isLocalHost reports whether host names this machine: a loopback address
// or one of its interfaces' addresses.
func isLocalHost(ctx context.Context, host string) bool {
	var ips []net.IP
	if ip := net.ParseIP(host); ip != nil {
		ips = []net.IP{ip}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupIPAddr(rctx, host)
		if err != nil {
			return false
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	ifaddrs, _ := net.InterfaceAddrs()
	for _, ip := range ips {
		if ip.IsLoopback() || ip.IsUnspecified() {
			return true
		}
		for _, a := range ifaddrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}
