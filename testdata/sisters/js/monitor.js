// A monitor written as js-banyan's jsmonitor is: zeromq's v5-compat API,
// msgpack-lite, a SUB connected to the backplane's subscriber port and
// subscribed to everything. Instead of console.log(topic, payload) it prints
// one JSON line per message, {"topic": ..., "payload": ...}, or
// {"topic": ..., "error": ...} when the payload does not decode.
//
// usage: node monitor.js HOST PUB_PORT SUB_PORT
// Prints "READY" once the socket is connecting; exits when stdin closes.
'use strict';
const zmq = require('zeromq/v5-compat');
const msgpack = require('msgpack-lite');

const [host, , subPort] = process.argv.slice(2);

const subscriber = zmq.socket('sub');
subscriber.connect(`tcp://${host}:${subPort}`);
subscriber.subscribe('');

subscriber.on('message', (topic, message) => {
  let line;
  try {
    line = JSON.stringify({topic: topic.toString(), payload: msgpack.decode(message)});
  } catch (e) {
    line = JSON.stringify({topic: topic.toString(), error: e.message, hex: message.toString('hex')});
  }
  console.log(line);
});

console.log('READY');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
