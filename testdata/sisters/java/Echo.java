import java.util.HashMap;
import org.zeromq.ZMQ;

/**
 * An echo server written as javabanyan's components are: JeroMQ, a SUB
 * connected to the backplane's subscriber port and a PUB to its publisher
 * port, BanyanBase's blocking receive_loop (recvStr for the topic, recv for
 * the payload, the payload unpacked and cast to a HashMap) that republishes
 * each "echo" payload on "reply" (sendMore topic, send packed payload).
 * Where javabanyan's loop dies on a payload it cannot decode, this one
 * prints "BAD topic why" and goes on.
 *
 * usage: java Echo HOST PUB_PORT SUB_PORT
 * Prints "READY" once both sockets are connecting; exits when stdin closes.
 */
public final class Echo {
    public static void main(String[] args) {
        String host = args[0];
        ZMQ.Context context = ZMQ.context(1);
        ZMQ.Socket publisher = context.socket(ZMQ.PUB);
        publisher.connect("tcp://" + host + ":" + args[1]);
        ZMQ.Socket subscriber = context.socket(ZMQ.SUB);
        subscriber.connect("tcp://" + host + ":" + args[2]);
        subscriber.subscribe("echo".getBytes(ZMQ.CHARSET));
        Peer.exitOnStdinEof();
        Peer.println("READY");
        while (true) {
            String topic = subscriber.recvStr();
            byte[] raw = subscriber.recv();
            HashMap<?, ?> payload;
            try {
                payload = (HashMap<?, ?>) MsgPack.unpack(raw);
            } catch (RuntimeException e) {
                Peer.println("BAD " + topic + " " + e);
                continue;
            }
            publisher.sendMore("reply");
            publisher.send(MsgPack.pack(payload));
        }
    }
}
