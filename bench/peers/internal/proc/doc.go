// Package proc reads what the benchmarks measure of another process from
// Linux's /proc: resident memory, threads and CPU time.
package proc
