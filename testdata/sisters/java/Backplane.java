import org.zeromq.ZMQ;

/**
 * A backplane written as javabanyan's Backplane.java is: JeroMQ, a SUB bound
 * on the publisher port and subscribed to everything, a PUB bound on the
 * subscriber port, and a blocking loop that reads a topic (recvStr) and a
 * payload (recv) and re-sends them (sendMore, send): two frames per message.
 *
 * usage: java Backplane HOST PUB_PORT SUB_PORT
 * Prints "READY" once both sockets are bound; exits when stdin closes.
 */
public final class Backplane {
    public static void main(String[] args) {
        String host = args[0];
        ZMQ.Context context = ZMQ.context(1);
        ZMQ.Socket subscriber = context.socket(ZMQ.SUB);
        subscriber.bind("tcp://" + host + ":" + args[1]);
        subscriber.subscribe(new byte[0]);
        ZMQ.Socket publisher = context.socket(ZMQ.PUB);
        publisher.bind("tcp://" + host + ":" + args[2]);
        Peer.exitOnStdinEof();
        Peer.println("READY");
        while (true) {
            String topic = subscriber.recvStr();
            byte[] payload = subscriber.recv();
            publisher.sendMore(topic);
            publisher.send(payload);
        }
    }
}
