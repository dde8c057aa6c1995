// Package launch runs a whole Banyan application from one file, as Python
// Banyan's bls, blc and blk do, wire-compatible with them and safer.
//
// # Launch files
//
// Load reads Python's launch CSV unchanged:
//
//	command_string,spawn,topic,append_bp_address,auto_restart,wait
//	banyan monitor,no,local,no,no,0
//	python3 server.py,no,local,no,yes,0.5
//	python3 ../rpi/rpi_gateway.py,no,rpi,yes,no,5
//
// Each row is a process. topic "local" runs it here; any other topic sends
// it to the launch client listening on that topic (on another machine).
// spawn=yes gives it a terminal window, auto_restart=yes restarts it when
// it exits, append_bp_address=yes adds "-b <backplane address>" to a remote
// command, and wait pauses (in seconds, fractions allowed) before the next
// row. A bad file is refused with an error naming the row and column
// (*ParseError, errors.Is(err, ErrBadFile)).
//
// A file whose name ends in .toml holds the same in TOML (see ParseTOML):
// commands need no CSV quoting, processes have names (which label their
// output), comments are allowed, and each process may set its working
// directory and environment.
//
// # Local processes
//
// Commands are split into words as a shell would (SplitCommand: quotes and
// backslashes work; nothing is expanded) and run directly. Each child runs
// in a process group of its own; its output goes to the launcher's output
// with every line prefixed by its name (or to a log file per child). Exits
// are noticed at once. auto_restart restarts with exponential backoff;
// after ProcessOptions.MaxRestarts quick exits in a row the crash loop is
// reported and the process is given up.
//
// Stopping (Ctrl-C, or a killall message) sends SIGTERM to each child's
// process group and to every descendant seen in /proc (so processes that
// left the group are found too, on Linux), then SIGKILL after
// ProcessOptions.KillTimeout. With ProcessOptions.Subreaper the launcher
// also reaps its children's orphans, so nothing is left, not even a zombie.
//
// # Backplane
//
// Before launching, the Launcher connects to the backplane (a network
// probe, not a process-name search). If none answers and the address is
// this host's, it starts one and stops it at the end: the launch file's
// own backplane row when it has one (a local row running "backplane" or
// "banyan backplane", as Python launch files do), first, whatever its
// place in the file; else Options.BackplaneCommand as a child, or one in
// this process. A backplane it did not start is left alone (and a
// backplane row then fails to bind, as it does under Python's bls).
//
// # Remote launching (wire-compatible with Python)
//
// For a remote row the Launcher publishes a launch record on the row's
// topic, a map with Python bls's ten keys and types: append_bp_address,
// auto_restart, spawn, command_string, topic, reply_topic ("ACK"+topic),
// wait (strings), launch_id (int, counting remote rows from 1), process
// and process_id (None); plus banyan_session (below). It publishes it again
// every Options.Republish until the client acknowledges it on ACK<topic>
// with {'command_string', 'process_id', 'launch_id'}. A Client (Python's
// blc) runs the records that arrive on its topic, ignores a launch id it
// has already run (it acknowledges it again, with the same PID), and
// stops everything on killall. Either side can be Python's.
//
// killall is Python's: topic "killall", payload {'exit': 'exit'}
// (Killall; Python's receivers look only at the topic). Every launcher and
// launch client on the backplane stops what it started; a launcher stopped
// by Ctrl-C sends killall itself when it has remote rows, so its clients
// stop theirs.
//
// # Security
//
// Python's blc runs any command anyone on the network sends it. A Client
// runs only records signed with a shared secret (Auth.Secret; the banyan
// command takes --secret, --secret-file or $BANYAN_LAUNCH_SECRET). The
// signature travels as three extra keys, which Python's blc ignores:
//
//	banyan_ts     int  signing time, Unix milliseconds
//	banyan_nonce  str  32 random hex digits
//	banyan_sig    str  hex HMAC-SHA256(secret, canonical bytes)
//
// The canonical bytes are "banyan-launch-hmac-sha256-v1\n" followed by
// netstrings (decimal length, ":", bytes, ","): the message kind ("launch",
// "ack", "killall" or "status"), the topic it is published on, then for each signed
// key its name and its typed value ("s" + the string, "i" + a decimal
// integer, or "n" for None or missing), then the timestamp ("i" + decimal)
// and the nonce ("s" + nonce). The signed keys are, for a launch record:
// append_bp_address, auto_restart, command_string, launch_id, process,
// process_id, reply_topic, spawn, topic, wait, banyan_session; for an ack:
// command_string, launch_id, process_id, banyan_session, banyan_error; for
// killall: exit; for a status request: id. Other keys are ignored by our receivers. The launcher
// signs each re-publication afresh.
//
// A receiver refuses, and logs, a message that is unsigned, whose
// signature does not match (forged, altered, signed for another topic or
// kind, or with another secret), whose timestamp is more than Auth.Window
// (default 30 s) from its clock or older than its own start, or whose
// nonce it has already accepted within the window (a replay). Launch
// records are deduplicated by banyan_session and launch_id, so a new
// launcher run may reuse launch ids.
//
// With a secret, killall messages and acks are signed and checked too. A
// launcher without a secret (only local rows) accepts killall unsigned, as
// Python does. Auth.InsecurePythonCompat accepts unsigned messages, to
// work with Python's bls, blc and blk; signed ones are still checked.
//
// # Status
//
// Launcher.Status and Client.Status return a row per process (name,
// where, PID, state, restarts, start time, last exit); WriteTable prints
// them. QueryStatus asks every launcher and launch client on the
// backplane: it publishes {'id': str} on banyan_launch_status_request and
// collects the answers on banyan_launch_status (maps with source, host,
// pid, time and processes).
//
// The tables hold command lines, so a launcher or launch client that has a
// secret answers only requests signed with it (StatusQuery.Secret), whatever
// InsecurePythonCompat says (Python has no status requests): unsigned,
// forged, stale, replayed and malformed requests are refused, logged and
// counted (ClientStats.StatusRefused, LauncherStats.StatusRefused). One
// without a secret answers any request. Answers are not encrypted: anyone
// subscribed to banyan_launch_status on the backplane reads them, as anyone
// subscribed to a client's topic reads its launch records.
package launch
