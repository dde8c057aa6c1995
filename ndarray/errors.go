package ndarray

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, so test
// for them with errors.Is.
var (
	// ErrObjectArray reports a numpy object array (dtype kind "O"), or a
	// structured dtype with an object field. msgpack-numpy sends an object
	// array's data as a pickle, which would run arbitrary code in the
	// receiver, and a structured object field as raw pointers. This package
	// never unpickles, never produces either, and refuses them on receipt.
	ErrObjectArray = errors.New("ndarray: numpy object arrays (pickled data) are refused")

	// ErrDType reports a malformed or unsupported dtype (array-protocol string
	// or structured descr).
	ErrDType = errors.New("ndarray: invalid dtype")

	// ErrShape reports a negative dimension, a size overflow, more than
	// 2**20 elements of a dtype whose item size is zero, or data whose
	// length does not equal itemsize times the number of elements.
	ErrShape = errors.New("ndarray: shape does not match data")

	// ErrMalformed reports a msgpack-numpy map whose entries have the wrong
	// msgpack types (for example a shape that is not an array of integers).
	ErrMalformed = errors.New("ndarray: malformed msgpack-numpy value")

	// ErrNotArray reports an attempt to decode something other than a numpy
	// array into an Array (or other than a scalar into a Scalar, or other
	// than a Python complex into a Complex).
	ErrNotArray = errors.New("ndarray: value is not the expected msgpack-numpy kind")

	// ErrTypeMismatch reports an accessor whose Go element type cannot hold
	// the array's dtype (for example ToSlice[float32] on a "<f8" array).
	ErrTypeMismatch = errors.New("ndarray: Go type does not match dtype")

	// ErrNotViewable reports that View cannot alias the array's bytes: the
	// byte order differs from the host's or the data is misaligned. Use
	// ToSlice, which copies and converts.
	ErrNotViewable = errors.New("ndarray: data cannot be viewed in place")
)
