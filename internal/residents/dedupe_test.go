package residents

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func bi(s string) []byte {
	if s == "" {
		return nil
	}
	b := make([]byte, 16)
	copy(b, s)
	return b
}

func TestDedupeTransitive(t *testing.T) {
	t.Parallel()
	d := newDedupe(0)
	type row struct{ crm, email, na string }
	rows := []row{
		{"A", "a@x", ""},   // 1: first person
		{"B", "b@x", "nb"}, // 2: second person
		{"", "a@x", "nc"},  // 3: same e-mail as 1
		{"C", "", "nb"},    // 4: same name+address as 2
		{"D", "d@x", "nc"}, // 5: same name+address as 3, so person 1
		{"E", "e@x", ""},   // 6: new
	}
	var dups []string
	for i, r := range rows {
		_, reason, dup := d.add(ref{1, int64(i + 1)}, bi(r.crm), bi(r.email), bi(r.na))
		if dup {
			dups = append(dups, reason)
		} else {
			dups = append(dups, "")
		}
	}
	want := []string{"", "", ReasonEmail, ReasonNameAddress, ReasonNameAddress, ""}
	for i := range want {
		if dups[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i+1, dups[i], want[i])
		}
	}
	// A record that bridges two people merges them: the later first
	// record is demoted.
	_, reason, dup := d.add(ref{1, 7}, bi("E"), bi("b@x"), nil)
	if !dup || reason != ReasonCRMID {
		t.Errorf("bridge: %v %q", dup, reason)
	}
	dm := d.demotions()
	got, ok := dm[ref{1, 6}]
	if len(dm) != 1 || !ok || got.root != (ref{1, 2}) || got.reason != ReasonEmail {
		t.Errorf("demotions %+v", dm)
	}
}

// Each field is sealed on its own and reads back; empty fields stay
// absent; another case's key opens nothing.
func TestSealedFieldsRoundTrip(t *testing.T) {
	t.Parallel()
	key, err := newCaseKey(7, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := key.Sealer()
	nonce := s.AppendRowNonce(nil)
	want := Clear{CRMID: "0035e00000AbCdE", First: "Ann", Last: "Lee", Email: "ann@example.com", Street: "1 Main St", City: "Boston", PostalCode: "02110"}
	sealed := [5][]byte{
		s.AppendField(nil, nonce, fieldCRMID, want.CRMID),
		s.AppendField(nil, nonce, fieldName, want.First, want.Last, want.Full),
		s.AppendField(nil, nonce, fieldEmail, want.Email),
		s.AppendField(nil, nonce, fieldPhone, want.Phone),
		s.AppendField(nil, nonce, fieldAddress, want.Street, want.City, want.PostalCode),
	}
	if sealed[fieldPhone-1] != nil {
		t.Errorf("an empty phone was sealed: %x", sealed[fieldPhone-1])
	}
	if got, err := key.Open(nonce, sealed); err != nil || got != want {
		t.Fatalf("opened %+v, %v; want %+v", got, err, want)
	}
	// A field moved to another field's place does not open.
	swapped := sealed
	swapped[fieldEmail-1], swapped[fieldCRMID-1] = sealed[fieldCRMID-1], sealed[fieldEmail-1]
	if _, err := key.Open(nonce, swapped); err == nil {
		t.Error("swapped fields opened")
	}
	other, _ := newCaseKey(8, make([]byte, 32))
	if _, err := other.Open(nonce, sealed); err == nil {
		t.Error("another case's key opened the row")
	}
}

// nameAddressKeyV1 is how the name-and-address key was built when the
// first residents were stored; their blind indexes are hashes of it, so
// appendNameAddressKey must build the same bytes.
func nameAddressKeyV1(p Person, r Residency) string {
	display := strings.TrimSpace(p.First + " " + p.Last)
	if display == "" {
		display = p.Full
	}
	name := normText(display)
	if name == "" {
		return ""
	}
	for _, a := range p.Addresses {
		if street := normText(a.Street); street != "" {
			place := NormalizeZIP(a.PostalCode)
			if place == "" {
				place = normText(a.City) + "|" + r.Jurisdiction + r.Country
			}
			return name + "|" + street + "|" + place
		}
	}
	return ""
}

// normText is the normalisation of names and streets as first written,
// for nameAddressKeyV1.
func normText(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = unicode.ToLower(r)
		default:
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

func TestNameAddressKeyIsStable(t *testing.T) {
	t.Parallel()
	people := []Person{
		{First: "  ", Last: "", Full: "Ann-Marie O'Neil", Addresses: []NamedAddress{{Address: Address{Street: "1 Main St.", PostalCode: "2110"}}}},
		{First: "José", Last: "ÁLVAREZ", Addresses: []NamedAddress{{Address: Address{Street: " -- "}}, {Address: Address{Street: "Calle 5", City: "San Juan"}}}},
		{First: ".", Last: "", Full: "Ignored", Addresses: []NamedAddress{{Address: Address{Street: "x"}}}},
		{First: "Ann", Addresses: []NamedAddress{{Address: Address{City: "Boston"}}}},
		{Last: "Łukasz  Żółw", Addresses: []NamedAddress{{Address: Address{Street: "ul. Długa 1", City: "Gdańsk", PostalCode: "80-001"}}}},
	}
	var buf bytes.Buffer
	if _, err := GenerateCRM(&buf, GenOptions{Rows: 3000, Messy: true, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	src, _ := NewSource(&buf, "")
	header, _, _ := src.Read()
	header = append([]string(nil), header...)
	cols := resolveColumns(header, DetectMapping(header), nil)
	for {
		rec, _, err := src.Read()
		if err != nil {
			break
		}
		p := Person{First: field(rec, cols.first), Last: field(rec, cols.last), Full: field(rec, cols.full)}
		for _, a := range cols.addr {
			p.Addresses = append(p.Addresses, NamedAddress{Group: a.group, Address: Address{Street: field(rec, a.idx[0]),
				City: field(rec, a.idx[1]), State: field(rec, a.idx[2]), PostalCode: field(rec, a.idx[4]), Country: field(rec, a.idx[5])}})
		}
		people = append(people, p)
	}
	if len(people) < 3000 {
		t.Fatalf("read %d people from the generated export", len(people))
	}
	for _, p := range people {
		r := Resolve(p.Addresses, "US")
		if got, want := string(p.appendNameAddressKey([]byte("prefix"), r)), "prefix"+nameAddressKeyV1(p, r); got != want {
			t.Errorf("%+v: %q, want %q", p, got, want)
		}
	}
}

// Sealer.Blind is HMAC-SHA-256 of kind, a zero byte and the value, under
// the case's blind key, cut to 8 bytes; stored indexes depend on it.
func TestBlindIsTheDocumentedHMAC(t *testing.T) {
	t.Parallel()
	key, _ := newCaseKey(3, bytes.Repeat([]byte{7}, 32))
	mac := hmac.New(sha256.New, key.blind)
	mac.Write([]byte("email\x00ann@example.com"))
	if got, want := key.Sealer().AppendBlind([]byte("x"), ReasonEmail, []byte("ann@example.com")), append([]byte("x"), mac.Sum(nil)[:8]...); !bytes.Equal(got, want) {
		t.Errorf("blind %x, want %x", got, want)
	}
}
