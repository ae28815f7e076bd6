package residents_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"breachdesk/internal/db"
)

// TestDumpHoldsNoClearPersonalData imports people and greps a pg_dump of
// the whole database for their names, e-mails, streets and CRM ids.
func TestDumpHoldsNoClearPersonalData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	csv := "Id,FirstName,LastName,Email,Phone,MailingStreet,MailingCity,MailingState,MailingPostalCode\n" +
		"0035e00000XyZaBAAQ,Philippa,Wunderlich,philippa.wunderlich@example.org,415-555-0142,88 Quillfeather Lane,Sausalito,CA,94965\n" +
		"0035e00000XyZaCAAQ,Thaddeus,Okonkwo-Brandt,t.okonkwo@example.net,212-555-0187,7 Marigold Terrace,Brooklyn,NY,11201\n"
	if _, res, err := f.importCSV(t, "people.csv", []byte(csv), false); err != nil || !res.Committed {
		t.Fatalf("import: %v %+v", err, res)
	}
	bin, err := db.FindServerBinaries()
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(bin, "pg_dump")
	if _, err := exec.LookPath(dump); err != nil {
		dump = "pg_dump"
	}
	var url string
	f.pool.QueryRow(t.Context(), `SELECT current_database()`).Scan(&url)
	cfg := f.pool.Config().ConnConfig
	out, err := exec.Command(dump, "--no-owner", "-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, "-d", url).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("COPY public.residents")) || bytes.Count(out, []byte("\n")) < 50 {
		t.Fatalf("the dump does not hold the residents table (%d bytes)", len(out))
	}
	lower := strings.ToLower(string(out))
	for _, clear := range []string{"philippa", "wunderlich", "philippa.wunderlich@example.org", "quillfeather", "thaddeus",
		"okonkwo", "t.okonkwo@example.net", "marigold", "0035e00000xyzab", "415-555-0142", "sausalito"} {
		if strings.Contains(lower, clear) {
			t.Errorf("the dump holds %q in clear", clear)
		}
	}
	// What counting needs is in clear.
	if !strings.Contains(string(out), "\tCA\tUS\t949\t") {
		t.Error("jurisdiction, country and ZIP3 not found in clear")
	}
}
