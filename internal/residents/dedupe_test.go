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
