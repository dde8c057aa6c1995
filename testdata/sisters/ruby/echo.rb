# An echo server written as rb_banyan's components are: ffi-rzmq, msgpack,
# a SUB connected to the backplane's subscriber port and a PUB to its
# publisher port, and BanyanBase's polling receive_loop (recv_strings with
# DONTWAIT, sleep loop_time when nothing is queued) that republishes each
# "echo" payload on "reply".
#
# usage: ruby echo.rb HOST PUB_PORT SUB_PORT [LOOP_TIME]
# Prints "READY" once both sockets are connecting; exits when stdin closes.
require 'ffi-rzmq'
require 'msgpack'

host, pub_port, sub_port, loop_time = ARGV
loop_time = (loop_time || '0.01').to_f
$stdout.sync = true

context = ZMQ::Context.new
publisher = context.socket(ZMQ::PUB)
publisher.connect("tcp://#{host}:#{pub_port}")
subscriber = context.socket(ZMQ::SUB)
subscriber.connect("tcp://#{host}:#{sub_port}")
subscriber.setsockopt(ZMQ::SUBSCRIBE, 'echo')

publish_payload = lambda do |payload, topic|
  publisher.send_strings([topic.encode('UTF-8'), payload.to_msgpack], ZMQ::DONTWAIT)
end

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
  begin
    payload = MessagePack.unpack(list[1])
  rescue StandardError => e
    puts "BAD #{list[0]} #{e.message}"
    next
  end
  publish_payload.call(payload, 'reply')
end
