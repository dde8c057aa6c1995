package i2cdev

import "unsafe"

// struct i2c_msg from include/uapi/linux/i2c.h: 12 bytes on 32-bit
// systems, 16 on 64-bit ones (the pointer's alignment).
type msg struct {
	addr  uint16
	flags uint16
	len   uint16
	buf   unsafe.Pointer
}

// struct i2c_rdwr_ioctl_data.
type rdwrData struct {
	msgs  unsafe.Pointer
	nmsgs uint32
}

const (
	ioctlRDWR = 0x0707 // I2C_RDWR
	flagRead  = 0x0001 // I2C_M_RD
)

// msgs builds the messages of a transfer: the write, then the read.
func msgs(addr int, w, r []byte) ([2]msg, int) {
	var m [2]msg
	n := 0
	if len(w) > 0 {
		m[n] = msg{addr: uint16(addr), len: uint16(len(w)), buf: unsafe.Pointer(&w[0])}
		n++
	}
	if len(r) > 0 {
		m[n] = msg{addr: uint16(addr), flags: flagRead, len: uint16(len(r)), buf: unsafe.Pointer(&r[0])}
		n++
	}
	return m, n
}
