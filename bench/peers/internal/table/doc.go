// Package table reads the benchmarks' CSV results and reduces them to one
// median per bus and x value (Medians), printed as a Markdown table with
// ratio columns (Markdown) or drawn by package chart.
//
// Columns are named loosely: "ForwarderCPUPerMsg", "forwarder_cpu_per_msg"
// and "forwarder-cpu-per-msg" are one column. A metric may be a column or
// a product and quotient of columns and numbers,
// "ForwarderCPUPerMsg*1048576/Size" (CPU per MiB).
package table
