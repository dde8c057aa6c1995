package launch

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{"  a\tb\n", []string{"a", "b"}},
		{`sh -c 'sleep 30; echo "x"'`, []string{"sh", "-c", `sleep 30; echo "x"`}},
		{`echo "a b" 'c d' e\ f`, []string{"echo", "a b", "c d", "e f"}},
		{`a"b"'c'd`, []string{"abcd"}},
		{`x '' ""`, []string{"x", "", ""}},
		{`"a \"q\" \$HOME \\ \n"`, []string{`a "q" $HOME \ \n`}},
		{`'a\b'`, []string{`a\b`}},
		{`a\'b`, []string{`a'b`}},
		{"a \\\nb", []string{"a", "b"}},
		{`$HOME *.go a|b`, []string{"$HOME", "*.go", "a|b"}},
		{"python3 gw.py -b 192.168.1.5", []string{"python3", "gw.py", "-b", "192.168.1.5"}},
	} {
		got, err := SplitCommand(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		// JoinCommand gives back what SplitCommand reads.
		again, err := SplitCommand(JoinCommand(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("JoinCommand(%q) = %q, splits to %q, %v", got, JoinCommand(got), again, err)
		}
	}
	for in, want := range map[string]error{
		`a 'b`: ErrUnbalancedQuote, `a "b`: ErrUnbalancedQuote, `"a\"`: ErrUnbalancedQuote,
		`a \`: ErrTrailingBackslash, "": ErrEmptyCommand, "  \t": ErrEmptyCommand,
	} {
		if _, err := SplitCommand(in); !errors.Is(err, want) {
			t.Errorf("SplitCommand(%q): %v, want %v", in, err, want)
		}
	}
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{`a 'b c' "d\"e" f\ g`, `''`, `"\\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommand(s)
		if err != nil {
			return
		}
		again, err := SplitCommand(JoinCommand(words))
		if err != nil || !reflect.DeepEqual(again, words) {
			t.Fatalf("%q: %q → %q → %q, %v", s, words, JoinCommand(words), again, err)
		}
	})
}
