package residents

import "testing"

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

// Rows written before migration 13 hold each field sealed on its own;
// they must still read.
func TestOpenPersonReadsLegacyRows(t *testing.T) {
	t.Parallel()
	key, err := newCaseKey(7, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := key.Sealer()
	nonce := s.RowNonce()
	var legacy [5][]byte
	for i, v := range []string{"0035e00000AbCdE", "Ann\x1fLee\x1f", "ann@example.com", "", "1 Main St\x1fBoston\x1f02110"} {
		if v != "" {
			legacy[i] = s.seal(nonce, byte(i+1), []byte(v))
		}
	}
	got, err := key.OpenPerson(nonce, nil, legacy)
	want := Clear{CRMID: "0035e00000AbCdE", First: "Ann", Last: "Lee", Email: "ann@example.com", Street: "1 Main St", City: "Boston", PostalCode: "02110"}
	if err != nil || got != want {
		t.Fatalf("legacy row: %+v, %v; want %+v", got, err, want)
	}
	// The same person sealed the current way reads the same.
	sealed := s.SealPerson(nonce, &want)
	if got, err := key.OpenPerson(nonce, sealed, [5][]byte{}); err != nil || got != want {
		t.Fatalf("current row: %+v, %v", got, err)
	}
	// A value sealed for another case does not open.
	other, _ := newCaseKey(8, make([]byte, 32))
	if _, err := other.OpenPerson(nonce, sealed, [5][]byte{}); err == nil {
		t.Error("another case's key opened the row")
	}
}
