package residents

import (
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func readAll(t *testing.T, s *Source) ([][]string, []int, error) {
	t.Helper()
	var recs [][]string
	var lines []int
	for {
		rec, line, err := s.Read()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		recs = append(recs, append([]string(nil), rec...))
		lines = append(lines, line)
	}
}

func TestSourceDataLoaderStyle(t *testing.T) {
	t.Parallel()
	in := "\xEF\xBB\xBF\"ID\",\"FIRSTNAME\",\"MAILINGSTREET\",\"MAILINGSTATE\"\r\n" +
		"\"0035e00000AbCdEAAQ\",\"Ana\",\"12 Elm St\r\nApt 4\",\"California\"\r\n" +
		"\"0035e00000AbCdFAAQ\",\"Bo \"\"Bobby\"\" N\x00guyen\",\"\",\"\"\r\n"
	s, err := NewSource(strings.NewReader(in), EncodingAuto)
	if err != nil {
		t.Fatal(err)
	}
	recs, lines, err := readAll(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if s.Encoding != EncodingUTF8 || recs[0][0] != "ID" {
		t.Errorf("encoding %s, first header %q (BOM not stripped?)", s.Encoding, recs[0][0])
	}
	if recs[1][2] != "12 Elm St\r\nApt 4" && recs[1][2] != "12 Elm St\nApt 4" {
		t.Errorf("quoted line break: %q", recs[1][2])
	}
	if recs[2][1] != `Bo "Bobby" Nguyen` {
		t.Errorf("doubled quotes and NUL: %q", recs[2][1])
	}
	if lines[2] != 4 {
		t.Errorf("third record starts on line %d, want 4", lines[2])
	}
	if s.BytesRead() != int64(len(in)) {
		t.Errorf("BytesRead %d of %d", s.BytesRead(), len(in))
	}
}

func TestSourceWindows1252(t *testing.T) {
	t.Parallel()
	text := "FirstName,LastName,MailingState\nJosé,Müller,Texas\n"
	raw, _ := charmap.Windows1252.NewEncoder().String(text)
	s, err := NewSource(strings.NewReader(raw), EncodingAuto)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(t, s)
	if err != nil || s.Encoding != EncodingWin1252 || recs[1][0] != "José" || recs[1][1] != "Müller" {
		t.Errorf("encoding %s records %q err %v", s.Encoding, recs, err)
	}
	// Chosen as UTF-8, the same bytes are refused with the line named.
	s, _ = NewSource(strings.NewReader(raw), EncodingUTF8)
	_, _, err = readAll(t, s)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 || !strings.Contains(le.Reason, "Windows-1252") {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestSourceUTF16(t *testing.T) {
	t.Parallel()
	in := "\xFF\xFEI\x00d\x00,\x00S\x00t\x00a\x00t\x00e\x00\n\x001\x00,\x00N\x00Y\x00\n\x00"
	s, err := NewSource(strings.NewReader(in), EncodingAuto)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(t, s)
	if err != nil || len(recs) != 2 || recs[1][1] != "NY" || recs[0][0] != "Id" {
		t.Errorf("utf-16: %q %v", recs, err)
	}
}

func TestSourceRefusesNonCSV(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty": "",
		"xlsx":  "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
		"exe":   "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11",
	} {
		if _, err := NewSource(strings.NewReader(in), EncodingAuto); !errors.Is(err, ErrNotCSV) {
			t.Errorf("%s: got %v, want ErrNotCSV", name, err)
		}
	}
	s, _ := NewSource(strings.NewReader("a,b\n\"unterminated,x\n"), EncodingAuto)
	_, _, err := readAll(t, s)
	var le *LineError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("broken quote: %v", err)
	}
}

func TestDetectMapping(t *testing.T) {
	t.Parallel()
	api := DetectMapping([]string{"ID", "FIRSTNAME", "LASTNAME", "EMAIL", "MAILINGSTREET", "MAILINGSTATE", "MAILINGSTATECODE",
		"MAILINGPOSTALCODE", "MAILINGCOUNTRY", "BillingState", "Account.Name", "Phone", "MobilePhone"})
	for f, want := range map[string]string{FieldCRMID: "ID", FieldFirstName: "FIRSTNAME", FieldEmail: "EMAIL",
		"Mailing.state_code": "MAILINGSTATECODE", "Mailing.postal_code": "MAILINGPOSTALCODE", "Billing.state": "BillingState",
		FieldPhone: "Phone"} {
		if api[f] != want {
			t.Errorf("API names: %s mapped to %q, want %q", f, api[f], want)
		}
	}
	for _, col := range api {
		if col == "Account.Name" {
			t.Error("relationship column mapped")
		}
	}
	labels := DetectMapping([]string{"Contact ID", "First Name", "Last Name", "Email", "Mailing Street", "Mailing City",
		"Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country"})
	for f, want := range map[string]string{FieldCRMID: "Contact ID", "Mailing.state": "Mailing State/Province",
		"Mailing.postal_code": "Mailing Zip/Postal Code", "Mailing.country": "Mailing Country"} {
		if labels[f] != want {
			t.Errorf("report labels: %s mapped to %q, want %q", f, labels[f], want)
		}
	}
	lead := DetectMapping([]string{"Id", "Name", "Street", "City", "State", "PostalCode", "Country"})
	if lead["Address.state"] != "State" || lead[FieldFullName] != "Name" {
		t.Errorf("lead: %v", lead)
	}
	person := DetectMapping([]string{"Id", "PersonEmail", "PersonMailingState", "PersonMailingPostalCode"})
	if person[FieldEmail] != "PersonEmail" || person["Mailing.state"] != "PersonMailingState" {
		t.Errorf("person account: %v", person)
	}
	if err := (Mapping{FieldFirstName: "First"}).Validate([]string{"First"}); err == nil || !strings.Contains(err.Error(), "no column holds a state") {
		t.Errorf("no address column: %v", err)
	}
	if err := (Mapping{"Mailing.state": "St"}).Validate([]string{"St"}); err == nil || !strings.Contains(err.Error(), "identifies a person") {
		t.Errorf("no identity column: %v", err)
	}
	if err := (Mapping{"Mailing.state": "Gone", FieldEmail: "E"}).Validate([]string{"E"}); err == nil || !strings.Contains(err.Error(), "no such column") {
		t.Errorf("missing column: %v", err)
	}
}
