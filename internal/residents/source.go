package residents

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings a CRM export may come in.
const (
	EncodingAuto    = "auto"
	EncodingUTF8    = "utf-8"
	EncodingUTF16   = "utf-16"
	EncodingWin1252 = "windows-1252"
)

// sniffBytes is how much of a file auto-detection looks at.
const sniffBytes = 1 << 20

// ErrNotCSV is returned for input that is not a CSV file at all.
var ErrNotCSV = errors.New("not a CSV file")

// Source reads the records of a CRM export: it strips a byte-order mark,
// decodes the detected or chosen encoding, drops NUL bytes (some Bulk API
// results carry them) and parses with encoding/csv, quoted line breaks
// included. It reads in constant memory.
type Source struct {
	csv      *csv.Reader
	counted  *countReader
	Encoding string // the encoding in use
	validate bool   // check that decoded text is valid UTF-8
}

// NewSource opens r, detecting the encoding when enc is EncodingAuto: a
// byte-order mark decides; otherwise valid UTF-8 in the first megabyte
// means UTF-8, anything else Windows-1252 (what Excel and Data Loader on
// Windows write).
func NewSource(r io.Reader, enc string) (*Source, error) {
	counted := &countReader{r: r}
	br := bufio.NewReaderSize(counted, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(head) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotCSV)
	}
	var bom string
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		bom = EncodingUTF8
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		bom = EncodingUTF16
	}
	if enc == EncodingAuto || enc == "" {
		enc = bom
		if enc == "" {
			enc = EncodingWin1252
			if validUTF8Prefix(head) {
				enc = EncodingUTF8
			}
		}
	}
	var text io.Reader = br
	switch enc {
	case EncodingUTF8:
	case EncodingUTF16:
		text = transform.NewReader(br, unicode.BOMOverride(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()))
	case EncodingWin1252:
		text = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	default:
		return nil, fmt.Errorf("unknown encoding %q: use auto, utf-8, utf-16 or windows-1252", enc)
	}
	if looksBinary(head) && enc != EncodingUTF16 {
		return nil, fmt.Errorf("%w: it holds binary data (is it a spreadsheet or an archive? export it as CSV)", ErrNotCSV)
	}
	cr := csv.NewReader(&dropNUL{r: text})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.Comma = sniffDelimiter(head, enc)
	return &Source{csv: cr, counted: counted, Encoding: enc, validate: enc == EncodingUTF8}, nil
}

// sniffDelimiter picks the field separator from the header line: a comma
// unless semicolons (what Excel writes in many European locales) or tabs
// clearly dominate it.
func sniffDelimiter(head []byte, enc string) rune {
	if enc == EncodingUTF16 {
		return ','
	}
	line := head
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		line = head[:i]
	}
	commas, semis, tabs := bytes.Count(line, []byte(",")), bytes.Count(line, []byte(";")), bytes.Count(line, []byte("\t"))
	switch {
	case semis > commas && semis >= tabs:
		return ';'
	case tabs > commas && tabs > semis:
		return '\t'
	}
	return ','
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// off at the end of the sample.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// looksBinary reports whether the sample holds control bytes no text file
// has (XLSX and ZIP files start with "PK\x03\x04").
func looksBinary(b []byte) bool {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return true
	}
	n := min(len(b), 8192)
	bad := 0
	for _, c := range b[:n] {
		if c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B) {
			if c != 0 {
				bad++
			}
		}
	}
	return bad > n/100+1
}

// LineError is a problem with one line of the file.
type LineError struct {
	Line   int64
	Column string
	Reason string
}

func (e *LineError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// Read returns the next record and the line it starts on. The record is
// reused by the next call. It returns io.EOF at the end; a *LineError for
// broken quoting or, in UTF-8, bytes that are not UTF-8.
func (s *Source) Read() ([]string, int, error) {
	rec, err := s.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, &LineError{Line: int64(pe.StartLine), Reason: "the CSV is malformed here (" + pe.Err.Error() + "); a quote may be missing"}
		}
		return nil, 0, err
	}
	line, _ := s.csv.FieldPos(0)
	if s.validate {
		for i, f := range rec {
			if !utf8.ValidString(f) {
				l, _ := s.csv.FieldPos(i)
				return nil, l, &LineError{Line: int64(l), Reason: "bytes that are not valid UTF-8; if the file came from Excel or Data Loader on Windows, import it again as Windows-1252"}
			}
		}
	}
	return rec, line, nil
}

// BytesRead is how many bytes of the file have been read, for progress.
func (s *Source) BytesRead() int64 { return s.counted.n.Load() }

type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// dropNUL removes NUL bytes from the stream.
type dropNUL struct{ r io.Reader }

func (d *dropNUL) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if bytes.IndexByte(p[:n], 0) < 0 {
		return n, err
	}
	out := p[:0]
	for _, c := range p[:n] {
		if c != 0 {
			out = append(out, c)
		}
	}
	return len(out), err
}
