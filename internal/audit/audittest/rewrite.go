// Package audittest tampers with case exports, for tests of verification.
package audittest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// Rewrite returns the ZIP data with the file named name replaced by what
// edit makes of it; the other files are copied as they are.
func Rewrite(t testing.TB, data []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			body, found = edit(body), true
		}
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = w.Write(body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("the export has no %s to rewrite", name)
	}
	return buf.Bytes()
}
