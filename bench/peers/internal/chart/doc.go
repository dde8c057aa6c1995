// Package chart draws a table.Medians as a line chart, one line with
// points per bus, with gonum.org/v1/plot, and saves it as a PNG.
package chart
