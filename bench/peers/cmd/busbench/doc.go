// Busbench's roles:
//
//	busbench run -bus banyan|libzmq|nats|mqtt [engine flags] [-csv|-json] [-no-header]
//
// starts that bus's forwarder as a child process on free loopback ports
// (banyan: `banyan backplane --hwm -1`, plus -backplane-args; libzmq:
// bench/pyforwarder.py, Python Banyan's zmq.device forwarder with HWM 0;
// nats: this binary's nats-server role; mqtt: mosquitto with a generated
// configuration), waits until it accepts, runs the load generator
// (internal/benchmark.Run) against it with the forwarder's CPU and RSS
// measured, prints one result and stops the child. Banyan and libzmq are
// driven by our component library, NATS by nats.go, MQTT by paho (QoS 0).
//
//	busbench idle -bus banyan|libzmq|nats|mqtt -conns N [-seconds S]
//
// opens N idle clients on the forwarder (a component, with a publisher
// and a subscriber connection, on banyan and libzmq; one client each on
// nats and mqtt), and reports the forwarder's RSS, goroutines (ours,
// from its Prometheus metrics) and threads per connection, and its CPU
// while idle for S seconds.
//
//	busbench table -in results.csv -by subs -metric forwarder_cpu_us_per_msg
//	busbench plot -in results.csv -x subs -y delivered_msg_per_sec -logx -title T -out fanout.png
//
// print a Markdown table (a median per bus and x value, ratios ours/peer)
// and draw a PNG line chart from results; a metric may be a product or
// quotient of columns and numbers ("forwarder_cpu_us_per_msg*1048576/size").
//
//	busbench nats-server -port N
//
// is the NATS child: an embedded nats-server until SIGTERM.
//
// Linux only: the children and the measurements use /proc and
// Pdeathsig.
package main
