package notify_test

import (
	"io"
	"strconv"
	"strings"
)

type ioReadCloser = io.ReadCloser

func nopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func itoa(n int) string { return strconv.Itoa(n) }
