package curve

import (
	"bytes"
	"errors"
	"testing"
)

func TestZ85(t *testing.T) {
	// RFC 32's test vector.
	raw := []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}
	s, err := EncodeZ85(raw)
	if err != nil || s != "HelloWorld" {
		t.Fatalf("EncodeZ85 = %q, %v; want HelloWorld", s, err)
	}
	back, err := DecodeZ85(s)
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("DecodeZ85 = %x, %v", back, err)
	}
	// RFC 32's example key pair (the client's, from its test program).
	pub, err := ParseKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")
	if err != nil {
		t.Fatal(err)
	}
	sec, err := ParseKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
	if err != nil {
		t.Fatal(err)
	}
	if PublicFromSecret(sec) != pub {
		t.Errorf("PublicFromSecret(%s) = %s, want %s", sec, PublicFromSecret(sec), pub)
	}
	if pub.String() != "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID" {
		t.Errorf("String = %s", pub)
	}
	for _, bad := range []string{"Hell", "Hello Worl", "HelloWorl\x00", "#####", "%%%%%"} {
		if _, err := DecodeZ85(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeZ85(%q): %v, want ErrMalformed", bad, err)
		}
	}
	if _, err := EncodeZ85([]byte{1, 2, 3}); !errors.Is(err, ErrMalformed) {
		t.Errorf("EncodeZ85 of 3 bytes: %v", err)
	}
	if _, err := ParseKey("HelloWorld"); !errors.Is(err, ErrMalformed) {
		t.Errorf("ParseKey of 10 characters: %v", err)
	}
	// The largest group, "%nSc0", is 0xffffffff; one more overflows.
	if b, err := DecodeZ85("%nSc0"); err != nil || !bytes.Equal(b, []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Errorf(`DecodeZ85("%%nSc0") = %x, %v`, b, err)
	}
	if _, err := DecodeZ85("%nSc1"); !errors.Is(err, ErrMalformed) {
		t.Errorf(`DecodeZ85("%%nSc1"): %v, want overflow`, err)
	}
}

func TestGenerateKeyPair(t *testing.T) {
	pub, sec, err := GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	if PublicFromSecret(sec) != pub || pub == (Key{}) {
		t.Errorf("key pair does not match")
	}
	if _, _, err := GenerateKeyPair(bytes.NewReader(nil)); err == nil {
		t.Error("GenerateKeyPair without random bytes succeeded")
	}
}
