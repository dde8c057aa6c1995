import java.util.LinkedHashMap;
import java.util.Map;
import org.zeromq.ZMQ;

/**
 * A monitor written as javabanyan's Monitor is: JeroMQ, a SUB connected to
 * the backplane's subscriber port and subscribed to everything, a blocking
 * loop of recvStr and recv. Instead of printing topic{ key,value ...} it
 * prints one JSON line per message, {"topic": ..., "payload": ...}, or
 * {"topic": ..., "error": ...} when the payload does not decode.
 *
 * usage: java Monitor HOST PUB_PORT SUB_PORT
 * Prints "READY" once the socket is connecting; exits when stdin closes.
 */
public final class Monitor {
    public static void main(String[] args) {
        String host = args[0];
        ZMQ.Context context = ZMQ.context(1);
        ZMQ.Socket subscriber = context.socket(ZMQ.SUB);
        subscriber.connect("tcp://" + host + ":" + args[2]);
        subscriber.subscribe(new byte[0]);
        Peer.exitOnStdinEof();
        Peer.println("READY");
        while (true) {
            String topic = subscriber.recvStr();
            byte[] raw = subscriber.recv();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("topic", topic);
            try {
                line.put("payload", MsgPack.unpack(raw));
            } catch (RuntimeException e) {
                line.put("error", e.toString());
                line.put("hex", Peer.hex(raw));
            }
            Peer.println(Peer.json(line));
        }
    }
}
