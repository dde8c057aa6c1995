// An echo server written as js-banyan's components are: zeromq's v5-compat
// API, msgpack-lite, a SUB connected to the backplane's subscriber port and
// a PUB to its publisher port, and an event-driven 'message' handler
// (BanyanBase.receive_loop) that republishes each "echo" payload on "reply".
//
// usage: node echo.js HOST PUB_PORT SUB_PORT
// Prints "READY" once both sockets are connecting; exits when stdin closes.
'use strict';
const zmq = require('zeromq/v5-compat');
const msgpack = require('msgpack-lite');

const [host, pubPort, subPort] = process.argv.slice(2);

const publisher = zmq.socket('pub');
publisher.connect(`tcp://${host}:${pubPort}`);
const subscriber = zmq.socket('sub');
subscriber.connect(`tcp://${host}:${subPort}`);
subscriber.subscribe('echo');

function publishPayload(payload, topic) {
  publisher.send([topic, msgpack.encode(payload)]);
}

subscriber.on('message', (topic, message) => {
  let payload;
  try {
    payload = msgpack.decode(message);
  } catch (e) {
    console.log(`BAD ${topic.toString()} ${e.message}`);
    return;
  }
  publishPayload(payload, 'reply');
});

console.log('READY');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
