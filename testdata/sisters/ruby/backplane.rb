# A backplane written as rb_banyan's rb_backplane is: ffi-rzmq, a SUB bound
# on the publisher port and subscribed to everything, a PUB bound on the
# subscriber port, and a polling loop (recv_strings with DONTWAIT, sleep
# loop_time on EAGAIN, then send_strings with DONTWAIT), not a zmq device.
#
# usage: ruby backplane.rb HOST PUB_PORT SUB_PORT [LOOP_TIME]
# Prints "READY" once both sockets are bound; exits when stdin closes.
require 'ffi-rzmq'

host, pub_port, sub_port, loop_time = ARGV
loop_time = (loop_time || '0.001').to_f
$stdout.sync = true

context = ZMQ::Context.new
subscriber = context.socket(ZMQ::SUB)
raise "bind #{pub_port}: #{ZMQ::Util.error_string}" if subscriber.bind("tcp://#{host}:#{pub_port}") != 0
subscriber.setsockopt(ZMQ::SUBSCRIBE, '')
publisher = context.socket(ZMQ::PUB)
raise "bind #{sub_port}: #{ZMQ::Util.error_string}" if publisher.bind("tcp://#{host}:#{sub_port}") != 0

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
  publisher.send_strings(list, ZMQ::DONTWAIT)
end
