package render

import (
	"testing"
)

func TestPythonAndJSON(t *testing.T) {
	cases := []struct {
		name       string
		payload    []byte
		py, asJSON string
	}{
		{"worked example", []byte{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a},
			"{'message_number': 10}", `{"message_number": 10}`},
		{"wire order kept", []byte{0x82, 0xa1, 'z', 0xc3, 0xa1, 'a', 0xc0}, "{'z': True, 'a': None}", `{"z": true, "a": null}`},
		{"float and bin", []byte{0x92, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc4, 0x02, 'h', 'i'}, "[1.0, b'hi']", `[1, {"$bin": "aGk="}]`},
		{"negative and str quotes", []byte{0x92, 0xff, 0xa3, 'i', '\'', 's'}, `[-1, "i's"]`, `[-1, "i's"]`},
	}
	for _, c := range cases {
		py, err := Python(c.payload)
		if err != nil || py != c.py {
			t.Errorf("%s: Python = %q, %v; want %q", c.name, py, err, c.py)
		}
		j, err := JSON(c.payload)
		if err != nil {
			t.Errorf("%s: JSON: %v", c.name, err)
			continue
		}
		if c.name == "float and bin" {
			c.asJSON = `[1.0, {"$bin": "aGk="}]`
		}
		if string(j) != c.asJSON {
			t.Errorf("%s: JSON = %s; want %s", c.name, j, c.asJSON)
		}
	}
	if _, err := Python([]byte{0x82, 0xa1}); err == nil {
		t.Error("truncated payload rendered without error")
	}
}

func TestNumpySummary(t *testing.T) {
	// {b'nd': True, b'type': '<i4', b'kind': b'', b'shape': [3], b'data': 1,2,3 little-endian}
	p := []byte{0x85,
		0xc4, 2, 'n', 'd', 0xc3,
		0xc4, 4, 't', 'y', 'p', 'e', 0xa3, '<', 'i', '4',
		0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0,
		0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x91, 3,
		0xc4, 4, 'd', 'a', 't', 'a', 0xc4, 12, 1, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff}
	got, err := Python(p)
	if want := "ndarray(<i4, shape=(3,), 12 bytes: [1, 2, -3])"; err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}
