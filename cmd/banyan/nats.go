package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gobanyan/banyan/bridge/nats"
	"github.com/spf13/cobra"
)

// The NATS secrets can come from the environment, so that ps does not
// show them.
const (
	envNATSPassword = "BANYAN_NATS_PASSWORD"
	envNATSToken    = "BANYAN_NATS_TOKEN"
)

type natsFlags struct {
	comp                  componentFlags
	servers               []string
	topics, subjects      []string
	subjectPrefix         string
	encoding              string
	bridgeID              string
	user, password, token string
	nkeyFile, credsFile   string
	tls                   tlsClientFlags
	reconnectBuffer       byteSize
	jetstream, durable    string
	pendingLimit          int
	connectTimeout, drain time.Duration
}

func newNATSCmd() *cobra.Command { return natsCommand(&natsFlags{}) }

// natsCommand builds the command around f, which receives the flags.
func natsCommand(f *natsFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nats",
		Short: "Bridge Banyan and a NATS server or cluster, both ways; join backplanes across sites",
		Long: `Bridge a Banyan backplane and NATS, both ways:

  Banyan topics under -g (default: every topic)  ->  NATS subjects
  NATS subjects -j (default <subject-prefix>>)    ->  Banyan topics

A topic maps to the subject <subject-prefix> (default "banyan.") followed by
its "/"-separated parts as "."-separated tokens, with the bytes NATS does not
allow in a subject token escaped, so that the mapping reverses exactly: for
example sensors/temp <-> banyan.sensors.temp. The original topic also travels
in a header, so any topic comes back exactly as it was.

Two or more backplanes bridged through one NATS, each by a "banyan nats" with
the same subject prefix, behave as one bus: with the defaults, everything.
A bridge never imports what it exported itself (a header carries its id), and
never exports again what it imported, so nothing loops. Use a prefix per group
of sites (--subject-prefix lab.) to keep buses apart on a shared NATS.

Payloads are the msgpack bytes unchanged (--encoding msgpack), or JSON for
consumers that are not Banyan (--encoding json; the same converter as banyan
mqtt). Messages that cannot be converted are logged, counted and skipped.

The NATS connection is re-established when lost; meanwhile up to
--reconnect-buffer bytes are buffered, and what does not fit is counted as
dropped. With --jetstream STREAM, exports are acknowledged publishes into the
stream (kept and resent until acknowledged, up to --pending-limit messages),
and imports come from a durable consumer, so a site that was offline catches
up on what it missed.`,
		Example: `  banyan nats                                        # everything, both ways, NATS on 127.0.0.1:4222
  banyan nats --nats nats://hub:4222 -g sensors -j 'banyan.actuators.>'
  banyan nats --subject-prefix site1. -j 'site2.>' 'site3.>'
  banyan nats --nats tls://hub:4443 --cafile ca.pem --creds site1.creds --jetstream BANYAN --bridge-id site1`,
		// Flags are parsed in RunE, after turning "-g a b" into "-g a -g b".
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			b, err := nats.New(cmd.Context(), o)
			if err != nil {
				return err
			}
			defer b.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", f.comp.name, b)
			err = b.Run(cmd.Context())
			st := b.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d to NATS, %d from NATS, %d/%d not convertible, %d dropped, %d slow-consumer drops, %d own skipped, %d echoes, %d reconnections\n",
				f.comp.name, st.Exported, st.Imported, st.ExportErrors, st.ImportErrors, st.Dropped, st.SlowDropped, st.OwnSkipped, st.Echoes, st.Reconnects)
			return err
		}, "banyan-topics", "nats-subjects", "nats"),
	}
	addComponentFlags(cmd, &f.comp, "NATS Gateway")
	fs := cmd.Flags()
	fs.StringSliceVar(&f.servers, "nats", []string{nats.DefaultServer}, "NATS server URL; repeat it or separate with commas for a cluster (nats://, tls://)")
	fs.StringArrayVarP(&f.topics, "banyan-topics", "g", []string{""}, `Banyan topics (prefixes) exported to NATS; "" is every topic`)
	fs.StringArrayVarP(&f.subjects, "nats-subjects", "j", nil, "NATS subjects imported to Banyan, * and > allowed (default <subject-prefix>>)")
	fs.StringVar(&f.subjectPrefix, "subject-prefix", nats.DefaultSubjectPrefix, "put before every subject made from a topic: tokens ending in '.', or \"\" for none")
	fs.StringVar(&f.encoding, "encoding", string(nats.MsgPack), "payload encoding on NATS: msgpack (unchanged) or json")
	fs.StringVar(&f.bridgeID, "bridge-id", "", "this bridge's id in the loop-guard header (default random; --jetstream needs one, the same across restarts, one per site)")
	fs.StringVar(&f.user, "user", "", "NATS user name")
	fs.StringVar(&f.password, "password", "", "NATS password (default $"+envNATSPassword+")")
	fs.StringVar(&f.token, "token", "", "NATS token (default $"+envNATSToken+")")
	fs.StringVar(&f.nkeyFile, "nkey", "", "NKey seed file")
	fs.StringVar(&f.credsFile, "creds", "", "JWT credentials file (a user JWT and its NKey seed)")
	f.tls.add(fs, "server")
	f.reconnectBuffer = 8 << 20
	fs.Var(&f.reconnectBuffer, "reconnect-buffer", "bytes buffered while NATS is away (bytes, or with KiB/MiB/GiB); what does not fit is dropped and counted")
	fs.StringVar(&f.jetstream, "jetstream", "", "JetStream stream: acknowledged exports into it, imports from a durable consumer")
	fs.StringVar(&f.durable, "durable", "", "durable consumer name with --jetstream (default banyan-<bridge-id>)")
	fs.IntVar(&f.pendingLimit, "pending-limit", 10000, "with --jetstream: exports kept until acknowledged, to resend after a reconnection")
	fs.DurationVar(&f.connectTimeout, "nats-connect-timeout", 10*time.Second, "how long to retry NATS at start-up (--connect-timeout is the backplane's)")
	fs.DurationVar(&f.drain, "drain-timeout", 5*time.Second, "how long to drain NATS on shutdown")
	return cmd
}

// options turns the flags into bridge options.
func (f *natsFlags) options(cmd *cobra.Command) (nats.Options, error) {
	if f.reconnectBuffer < 0 {
		return nats.Options{}, fmt.Errorf("--reconnect-buffer %s: want 0 or more", f.reconnectBuffer.String())
	}
	password, token := f.password, f.token
	if password == "" {
		password = os.Getenv(envNATSPassword)
	}
	if token == "" {
		token = os.Getenv(envNATSToken)
	}
	tlsConf, err := f.tls.config()
	if err != nil {
		return nats.Options{}, err
	}
	subjects := f.subjects
	if !cmd.Flags().Changed("nats-subjects") {
		subjects = nil // the bridge's default, from the subject prefix
	}
	bp, err := f.comp.options()
	if err != nil {
		return nats.Options{}, err
	}
	return nats.Options{
		Backplane:       bp,
		Servers:         f.servers,
		Topics:          f.topics,
		Subjects:        subjects,
		SubjectPrefix:   f.subjectPrefix,
		NoSubjectPrefix: f.subjectPrefix == "",
		Encoding:        nats.Encoding(f.encoding),
		BridgeID:        f.bridgeID,
		TLS:             tlsConf,
		User:            f.user,
		Password:        password,
		Token:           token,
		NKeyFile:        f.nkeyFile,
		CredsFile:       f.credsFile,
		ReconnectBuffer: int(f.reconnectBuffer),
		JetStream:       f.jetstream,
		Durable:         f.durable,
		PendingLimit:    f.pendingLimit,
		ConnectTimeout:  f.connectTimeout,
		DrainTimeout:    f.drain,
		Logger:          f.comp.logger(),
	}, nil
}
