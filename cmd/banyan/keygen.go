package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gobanyan/banyan/internal/curve"
)

func newKeygenCmd() *cobra.Command {
	var (
		force  bool
		public string
		derive bool
	)
	cmd := &cobra.Command{
		Use:   "keygen NAME | keygen --public FILE",
		Short: "Make a CURVE key pair as czmq certificate files, or print a certificate's public key",
		Long: `keygen NAME makes a new CURVE (CurveZMQ) key pair and writes it as the two
files of a czmq certificate, in the ZPL text that czmq's zcert_save writes
and zauth, zcertstore and pyzmq's zmq.auth read: NAME holds the public key
(mode 0644; give it to the peers that must know you: the backplane's to
every client, a client's to the backplane's --authorized-keys directory),
NAME_secret both keys (mode 0600; keep it). It prints the public key, in
Z85 (40 characters, as zmq_curve_keypair gives it). Existing files are not
overwritten, unless --force.

keygen --public FILE prints the public key of FILE: a czmq certificate,
public or secret, or a plain file whose first line is a Z85 key. A plain
file's key is printed as it is (a public key file); with --derive it is
read as a secret key and the public key that belongs to it is printed.`,
		Example: `  banyan keygen backplane          # writes backplane and backplane_secret
  banyan keygen --public backplane_secret`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch {
			case public != "" && len(args) > 0:
				return errors.New("keygen: give NAME or --public FILE, not both")
			case public != "":
				k, err := publicKeyOf(public, derive)
				if err != nil {
					return err
				}
				fmt.Fprintln(out, k)
				return nil
			case len(args) != 1:
				return errors.New("keygen: give the NAME of the certificate to write, or --public FILE")
			case derive:
				return errors.New("keygen: --derive goes with --public")
			}
			pub, sec, err := curve.GenerateKeyPair(nil)
			if err != nil {
				return err
			}
			if err := curve.WriteCertificate(args[0], pub, sec, force); err != nil {
				return err
			}
			fmt.Fprintln(out, pub)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite NAME and NAME_secret if they exist")
	cmd.Flags().StringVar(&public, "public", "", "print the public key of `FILE` (a certificate or a Z85 key file) instead of making a key pair")
	cmd.Flags().BoolVar(&derive, "derive", false, "with --public: read a plain Z85 file as a secret key and print its public key")
	return cmd
}

// publicKeyOf reads the public key of a certificate or plain key file; with
// derive, a plain file holds a secret key.
func publicKeyOf(path string, derive bool) (curve.Key, error) {
	if derive {
		pub, _, err := curve.LoadSecret(path)
		if err == nil || !errors.Is(err, curve.ErrNoSecret) {
			return pub, err
		}
		// A public certificate: its public key is what was asked for.
	}
	pub, _, _, err := curve.ReadKeyFile(path)
	return pub, err
}
