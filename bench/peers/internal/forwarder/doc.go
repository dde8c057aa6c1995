// Package forwarder runs the benchmarks' forwarders (a backplane, a
// broker) as child processes: started in a process group of their own,
// killed if this process dies, waited for until they accept connections,
// and stopped, only ever what this package started.
package forwarder
