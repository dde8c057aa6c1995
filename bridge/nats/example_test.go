package nats_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/nats"
)

// The subject of a topic, and back.
func ExampleSubject() {
	for _, topic := range []string{"sensors/temp", "a.b c", ""} {
		s, _ := nats.Subject(nats.DefaultSubjectPrefix, topic)
		t, _ := nats.Topic(nats.DefaultSubjectPrefix, s)
		fmt.Printf("%q -> %s -> %q\n", topic, s, t)
	}
	// Output:
	// "sensors/temp" -> banyan.sensors.temp -> "sensors/temp"
	// "a.b c" -> banyan.a%2Eb%20c -> "a.b c"
	// "" -> banyan.% -> ""
}

// Join this host's backplane to the others on a NATS server, both ways.
func ExampleNew() {
	ctx := context.Background()
	b, err := nats.New(ctx, nats.Options{
		Backplane:     []banyan.Option{banyan.WithBackplane("127.0.0.1")},
		Servers:       []string{"nats://hub.lan:4222"},
		SubjectPrefix: "lab.",
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(b.Run(ctx))
}
