package mqtt_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/mqtt"
)

// Bridge Banyan topics under "sensors" to MQTT topics under "banyan/", and
// MQTT "banyan/actuators/#" back to Banyan "actuators/...", as JSON. It
// needs a running backplane and an MQTT broker on localhost:1883, so it has
// no checked output.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b, err := mqtt.New(ctx, mqtt.Options{
		Backplane:       []banyan.Option{banyan.WithBackplane("127.0.0.1")},
		Broker:          "localhost",
		BanyanSubTopics: []string{"sensors"},
		MQTTSubTopics:   []string{"banyan/actuators/#"},
		MapToMQTT:       true,
		MapFromMQTT:     true,
		MQTTPrefix:      "banyan/",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	if err := b.Run(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", b.Stats())
}

// Payloads in Python's JSON form, both ways.
func ExampleMsgpackToJSON() {
	payload, _ := banyan.Marshal(map[string]any{"word": "héllo"})
	text, _ := mqtt.MsgpackToJSON(payload)
	fmt.Println(string(text))

	back, _ := mqtt.JSONToMsgpack([]byte(`{"msg": 1.0, "n": [1, 2.5]}`))
	m, _ := banyan.DecodeMap(back)
	fmt.Println(m["msg"], m["n"])
	text, _ = mqtt.MsgpackToJSON(back)
	fmt.Println(string(text))
	// Output:
	// {"word": "h\u00e9llo"}
	// 1 [1 2.5]
	// {"msg": 1.0, "n": [1, 2.5]}
}
