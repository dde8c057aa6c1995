package i2cdev

import (
	"errors"
	"testing"
	"unsafe"
)

func TestLayout(t *testing.T) {
	want := uintptr(16)
	if unsafe.Sizeof(uintptr(0)) == 4 {
		want = 12
	}
	if got := unsafe.Sizeof(msg{}); got != want {
		t.Errorf("struct i2c_msg: %d bytes, want %d", got, want)
	}
	if got := unsafe.Offsetof(msg{}.buf); got != want-unsafe.Sizeof(uintptr(0)) {
		t.Errorf("i2c_msg.buf at %d", got)
	}
}

func TestMsgs(t *testing.T) {
	w, r := []byte{0x41}, make([]byte, 2)
	m, n := msgs(0x48, w, r)
	if n != 2 || m[0].addr != 0x48 || m[0].flags != 0 || m[0].len != 1 || m[0].buf != unsafe.Pointer(&w[0]) ||
		m[1].addr != 0x48 || m[1].flags != flagRead || m[1].len != 2 || m[1].buf != unsafe.Pointer(&r[0]) {
		t.Errorf("write then read: %d %+v", n, m)
	}
	if m, n := msgs(0x20, nil, r); n != 1 || m[0].flags != flagRead {
		t.Errorf("read only: %d %+v", n, m)
	}
	if m, n := msgs(0x20, w, nil); n != 1 || m[0].flags != 0 {
		t.Errorf("write only: %d %+v", n, m)
	}
}

func TestCheck(t *testing.T) {
	big := make([]byte, MaxTransfer+1)
	for _, c := range []struct {
		addr int
		w, r []byte
	}{{-1, []byte{1}, nil}, {0x80, []byte{1}, nil}, {0x10, nil, nil}, {0x10, big, nil}, {0x10, nil, big}} {
		if err := check(c.addr, c.w, c.r); !errors.Is(err, ErrBadTransfer) {
			t.Errorf("addr %#x, %d and %d bytes: %v", c.addr, len(c.w), len(c.r), err)
		}
	}
	if err := check(0x7f, make([]byte, MaxTransfer), make([]byte, MaxTransfer)); err != nil {
		t.Error(err)
	}
}
