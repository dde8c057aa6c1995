# A monitor written as rb_banyan's rb_monitor is: ffi-rzmq, msgpack, a SUB
# connected to the backplane's subscriber port and subscribed to everything,
# polled with DONTWAIT. Instead of puts(topic, payload) it prints one JSON
# line per message, {"topic": ..., "payload": ...}, or
# {"topic": ..., "error": ...} when the payload does not decode.
#
# usage: ruby monitor.rb HOST PUB_PORT SUB_PORT [LOOP_TIME]
# Prints "READY" once the socket is connecting; exits when stdin closes.
require 'ffi-rzmq'
require 'msgpack'
require 'json'

host, _pub_port, sub_port, loop_time = ARGV
loop_time = (loop_time || '0.001').to_f
$stdout.sync = true

context = ZMQ::Context.new
subscriber = context.socket(ZMQ::SUB)
subscriber.connect("tcp://#{host}:#{sub_port}")
subscriber.setsockopt(ZMQ::SUBSCRIBE, '')

puts 'READY'
Thread.new do
  $stdin.read
  exit!(0)
end

loop do
  list = []
  if subscriber.recv_strings(list, ZMQ::DONTWAIT) == -1
    sleep(loop_time)
    next
  end
  topic = list[0].dup.force_encoding('UTF-8')
  line = begin
    JSON.generate({ 'topic' => topic, 'payload' => MessagePack.unpack(list[1]) })
  rescue StandardError => e
    JSON.generate({ 'topic' => topic.scrub, 'error' => e.message, 'hex' => list[1].to_s.unpack1('H*') })
  end
  puts line
end
