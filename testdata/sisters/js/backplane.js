// A backplane written as js-banyan's jsbackplane is: zeromq's v5-compat API,
// a SUB bound on the publisher port and subscribed to everything, a PUB bound
// on the subscriber port, and a 'message' handler that re-sends every frame.
//
// usage: node backplane.js HOST PUB_PORT SUB_PORT
// Prints "READY" once both sockets are bound; exits when stdin closes.
'use strict';
const zmq = require('zeromq/v5-compat');

const [host, pubPort, subPort] = process.argv.slice(2);

const subscriber = zmq.socket('sub');
subscriber.bindSync(`tcp://${host}:${pubPort}`);
subscriber.subscribe('');
const publisher = zmq.socket('pub');
publisher.bindSync(`tcp://${host}:${subPort}`);

subscriber.on('message', (...frames) => {
  publisher.send(frames);
});

console.log('READY');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
