package curve_test

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/curve"
)

// A whole handshake between a client and a server in memory, then one
// frame each way. On a connection each []byte is the body of a ZMTP
// command frame.
func Example() {
	srvPub, srvSec, _ := curve.GenerateKeyPair(nil)
	cliPub, cliSec, _ := curve.GenerateKeyPair(nil)

	server := curve.NewServer(srvPub, srvSec, &curve.ServerOptions{
		Authorize: func(k curve.Key) error {
			if k != cliPub {
				return fmt.Errorf("unknown key %s", k)
			}
			return nil
		},
	})
	hs := server.Handshake(nil) // one per connection
	client, _ := curve.NewClient(srvPub, cliPub, cliSec, nil, nil)

	welcome, err := hs.Hello(client.Hello())
	if err != nil {
		panic(err)
	}
	if err := client.Welcome(welcome); err != nil {
		panic(err)
	}
	initiate, _ := client.Initiate()
	ready, who, _, err := hs.Initiate(initiate)
	if err != nil {
		panic(err)
	}
	if _, err := client.Ready(ready); err != nil {
		panic(err)
	}
	fmt.Println("server admitted the client:", who == cliPub)

	msg := client.Session().Seal(nil, curve.FlagMore, []byte("topic"))
	flags, body, _ := hs.Session().Open(nil, msg)
	fmt.Printf("server got %q, more=%v\n", body, flags&curve.FlagMore != 0)
	// Output:
	// server admitted the client: true
	// server got "topic", more=true
}
