package interop

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gobanyan/banyan/internal/testpeer"
	"go.uber.org/goleak"
)

// scratch is a directory for the whole test run (the compiled Java peers).
var scratch string

func TestMain(m *testing.M) {
	var err error
	if scratch, err = os.MkdirTemp("", "banyan-interop-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// javaBuild compiles every Java peer once per test run, with one javac.
var javaBuild struct {
	sync.Once
	dir string
	err error
}

// javaClasses returns the directory of the compiled Java peers.
func javaClasses(t *testing.T, p testpeer.JavaPeer) string {
	t.Helper()
	javaBuild.Do(func() {
		javaBuild.dir = filepath.Join(scratch, "java")
		if javaBuild.err = os.Mkdir(javaBuild.dir, 0o755); javaBuild.err == nil {
			javaBuild.err = p.Compile(javaBuild.dir)
		}
	})
	if javaBuild.err != nil {
		t.Fatal(javaBuild.err)
	}
	return javaBuild.dir
}
