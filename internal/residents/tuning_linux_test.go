package residents

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The reader and workers of an import run at nice 10 on their own
// threads; the goroutines around them keep normal priority.
func TestLowerPriorityIsPerThread(t *testing.T) {
	t.Parallel()
	niceOf := func() int {
		b, err := os.ReadFile("/proc/thread-self/stat")
		if err != nil {
			t.Skip("no /proc/thread-self:", err)
		}
		// Field 19 is the nice value; the command name (field 2) may hold spaces.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		n, _ := strconv.Atoi(f[16])
		return n
	}
	got := make(chan int)
	go func() {
		lowerPriority()
		got <- niceOf()
	}()
	if n := <-got; n != 10 {
		t.Errorf("worker thread nice %d, want 10", n)
	}
	if n := niceOf(); n == 10 {
		t.Errorf("the test's own thread was lowered too")
	}
}

func TestWidenSendBuffer(t *testing.T) {
	t.Parallel()
	max, err := os.ReadFile("/proc/sys/net/core/wmem_max")
	if err != nil {
		t.Skip(err)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(string(max))); n < copySendBuffer {
		t.Skipf("net.core.wmem_max is %d: the kernel would cap the buffer", n)
	}
	path := filepath.Join(t.TempDir(), "s")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	widenSendBuffer(c)
	raw, _ := c.(*net.UnixConn).SyscallConn()
	var size int
	raw.Control(func(fd uintptr) { size, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF) })
	if size < copySendBuffer {
		t.Errorf("send buffer %d bytes, want at least %d", size, copySendBuffer)
	}
}
