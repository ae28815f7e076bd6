package residents

import "encoding/binary"

// Rows go to Postgres in COPY's binary format, encoded by the importer's
// workers in parallel; only the duplicate columns are filled in order.
// See https://www.postgresql.org/docs/current/sql-copy.html (Binary Format).

var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

var copyTrailer = []byte{0xff, 0xff}

func appendNull(b []byte) []byte { return append(b, 0xff, 0xff, 0xff, 0xff) }

func appendInt8(b []byte, v int64) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// appendTextOrNull writes "" as NULL.
func appendTextOrNull(b []byte, s string) []byte {
	if s == "" {
		return appendNull(b)
	}
	return appendText(b, s)
}

func appendBool(b []byte, v bool) []byte {
	b = binary.BigEndian.AppendUint32(b, 1)
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendBytes(b []byte, v []byte) []byte {
	if v == nil {
		return appendNull(b)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// textOID is the type of text[] elements.
const textOID = 25

// appendTextArray writes a one-dimensional text[]; nil is NULL.
func appendTextArray(b []byte, items []string) []byte {
	if items == nil {
		return appendNull(b)
	}
	size := 20
	for _, s := range items {
		size += 4 + len(s)
	}
	if len(items) == 0 {
		size = 12
	}
	b = binary.BigEndian.AppendUint32(b, uint32(size))
	if len(items) == 0 {
		b = binary.BigEndian.AppendUint32(b, 0) // dimensions
		b = binary.BigEndian.AppendUint32(b, 0) // flags
		return binary.BigEndian.AppendUint32(b, textOID)
	}
	b = binary.BigEndian.AppendUint32(b, 1)
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, textOID)
	b = binary.BigEndian.AppendUint32(b, uint32(len(items)))
	b = binary.BigEndian.AppendUint32(b, 1) // lower bound
	for _, s := range items {
		b = appendText(b, s)
	}
	return b
}
