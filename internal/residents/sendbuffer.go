package residents

import (
	"crypto/tls"
	"net"
)

// copySendBuffer is the socket send buffer asked for on the connection an
// import's COPY runs on.
const copySendBuffer = 4 << 20

// widenSendBuffer lets about 4 MB of rows (some 25 ms of Postgres's work)
// wait in the socket instead of the usual 200 KB (1 ms). Postgres then
// rides out the moments when the goroutine feeding it is not scheduled,
// instead of waiting for data. The kernel caps the size at
// net.core.wmem_max; a connection that is not a socket keeps its own.
func widenSendBuffer(c net.Conn) {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	if s, ok := c.(interface{ SetWriteBuffer(int) error }); ok {
		_ = s.SetWriteBuffer(copySendBuffer) // only speed depends on it
	}
}
