package residents

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// GenOptions configure GenerateCRM.
type GenOptions struct {
	Rows  int
	Messy bool
	Seed  uint64
}

// Truth is what a generated export holds, for checking an import.
type Truth struct {
	Rows       int              `json:"rows"`
	Persons    int64            `json:"persons"`
	States     map[string]int64 `json:"states"`
	Countries  map[string]int64 `json:"countries"`
	Unknown    int64            `json:"unknown"`
	Duplicates int64            `json:"duplicates"`
	Conflicts  int64            `json:"conflicts"`
	BadRows    int64            `json:"bad_rows"`
}

var genFirst = []string{"Ana", "Bo", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Inés", "Jamal", "Katarzyna", "Liam",
	"María José", "Nguyen", "Olu", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Valentina", "Wei", "Xavier", "Yara", "Zoë"}
var genLast = []string{"Lopez", "Nguyen", "O'Brien", "Smith", "García", "Kowalski", "Müller", "Okafor", "Patel", "Rossi", "Sato",
	"Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Lee"}
var genStreets = []string{"Elm St", "Main Street", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine Rd", "Washington Blvd", "Lake Shore Dr"}

// stateWeights roughly follow population, so counts look real.
var genStates = []struct {
	code   string
	weight int
}{
	{"CA", 118}, {"TX", 90}, {"FL", 66}, {"NY", 59}, {"PA", 39}, {"IL", 38}, {"OH", 35}, {"GA", 33}, {"NC", 33}, {"MI", 30},
	{"NJ", 28}, {"VA", 26}, {"WA", 23}, {"AZ", 22}, {"MA", 21}, {"TN", 21}, {"IN", 20}, {"MO", 18}, {"MD", 18}, {"WI", 17},
	{"CO", 17}, {"MN", 17}, {"SC", 16}, {"AL", 15}, {"LA", 14}, {"KY", 13}, {"OR", 13}, {"OK", 12}, {"CT", 11}, {"UT", 10},
	{"IA", 10}, {"NV", 10}, {"AR", 9}, {"MS", 9}, {"KS", 9}, {"NM", 6}, {"NE", 6}, {"ID", 6}, {"WV", 5}, {"HI", 4},
	{"NH", 4}, {"ME", 4}, {"MT", 3}, {"RI", 3}, {"DE", 3}, {"SD", 3}, {"ND", 2}, {"AK", 2}, {"DC", 2}, {"VT", 2}, {"WY", 2},
	{"PR", 3}, {"GU", 1}, {"VI", 1}, {"AE", 1},
}

var genForeign = []struct{ country, text, city, state, postal string }{
	{"CA", "Canada", "Toronto", "ON", "M5V 2T6"}, {"GB", "United Kingdom", "London", "", "SW1A 1AA"},
	{"DE", "Germany", "Berlin", "", "10115"}, {"MX", "Mexico", "Guadalajara", "Jalisco", "44100"},
	{"FR", "France", "Lyon", "", "69001"},
}

// zip3sOf lists the prefixes of each jurisdiction, from the same table
// residency uses.
var zip3sOf = func() map[string][]int {
	m := map[string][]int{}
	for p, code := range zip3Table {
		if code != "" {
			m[code] = append(m[code], p)
		}
	}
	return m
}()

// GenerateCRM writes a synthetic Salesforce Contact export (Data Loader
// columns, no real personal data) and returns what it holds. Messy exports
// mix state spellings, ZIPs that lost leading zeros, ZIP+4, blank and
// spelled-out countries, line breaks in streets, foreign and unusable
// addresses, state/ZIP conflicts, repeated people and a few unusable rows.
func GenerateCRM(w io.Writer, o GenOptions) (Truth, error) {
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9E3779B97F4A7C15))
	t := Truth{Rows: o.Rows, States: map[string]int64{}, Countries: map[string]int64{}}
	bw := bufio.NewWriterSize(w, 1<<16)
	if o.Messy {
		bw.WriteString("\xEF\xBB\xBF")
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = o.Messy
	cw.Write([]string{"Id", "FirstName", "LastName", "Email", "Phone", "MailingStreet", "MailingCity", "MailingState",
		"MailingStateCode", "MailingPostalCode", "MailingCountry", "Account.Name", "Birthdate"})
	total := 0
	for _, s := range genStates {
		total += s.weight
	}
	type person struct{ id, first, last, email string }
	var earlier []person
	for i := 0; i < o.Rows; i++ {
		roll := rng.IntN(1000)
		if o.Messy && roll < 20 && len(earlier) > 0 {
			// The same person again: same Id in its 15-character form, or the
			// same e-mail in other case, with a different address.
			p := earlier[rng.IntN(len(earlier))]
			id, email := p.id, strings.ToUpper(p.email)
			if rng.IntN(2) == 0 {
				id = p.id[:15]
			} else {
				id = fmt.Sprintf("003Dup%012d", i)
			}
			cw.Write([]string{id, p.first, p.last, email, "", "", "", "", "", "", "", "Acme", ""})
			t.Duplicates++
			continue
		}
		if o.Messy && roll >= 20 && roll < 21 {
			cw.Write([]string{"", "", "", "", "555-0100", "1 Nowhere Rd", "", "TX", "", "75001", "US", "", ""})
			t.BadRows++
			continue
		}
		first, last := genFirst[rng.IntN(len(genFirst))], genLast[rng.IntN(len(genLast))]
		id := salesforceID(rng, i)
		email := fmt.Sprintf("%s.%s.%d@example.%s", strings.ToLower(asciiOnly(first)), strings.ToLower(asciiOnly(last)), i,
			[]string{"com", "net", "org"}[i%3])
		// The street number is the row's, so no two people share an address by chance.
		street := fmt.Sprintf("%d %s", i+1, genStreets[rng.IntN(len(genStreets))])
		if o.Messy && rng.IntN(20) == 0 {
			street += "\nApt " + fmt.Sprint(1+rng.IntN(40))
		}
		rec := []string{id, first, last, email, fmt.Sprintf("(%03d) 555-%04d", 200+rng.IntN(700), rng.IntN(10000)), street, "", "", "", "", "", "Acme Corp", "1980-01-01"}
		earlier = append(earlier, person{id, first, last, email})
		if len(earlier) > 5000 {
			earlier = earlier[len(earlier)-5000:]
		}
		t.Persons++
		switch {
		case o.Messy && roll < 40:
			f := genForeign[rng.IntN(len(genForeign))]
			rec[6], rec[7], rec[9], rec[10] = f.city, f.state, f.postal, f.text
			t.Countries[f.country]++
		case o.Messy && roll < 50:
			rec[6] = "Springfield" // a city alone decides nothing
			t.Unknown++
		default:
			pick := rng.IntN(total)
			code := genStates[len(genStates)-1].code
			for _, s := range genStates {
				if pick < s.weight {
					code = s.code
					break
				}
				pick -= s.weight
			}
			prefixes := zip3sOf[code]
			zip := fmt.Sprintf("%03d%02d", prefixes[rng.IntN(len(prefixes))], rng.IntN(100))
			if code == "GU" {
				zip = "969" + fmt.Sprintf("%02d", 10+rng.IntN(20))
			}
			rec[6] = "Town"
			stated := code
			if o.Messy && roll < 55 && code != "NJ" && code != "GU" && code != "PR" && code != "VI" && code != "AE" {
				// Conflict: the ZIP is New Jersey's.
				zip = fmt.Sprintf("07%d%02d", rng.IntN(10), rng.IntN(100))
				t.Conflicts++
			}
			rec[7], rec[8], rec[9], rec[10] = stateText(rng, stated, o.Messy), "", zipText(rng, zip, o.Messy), countryText(rng, o.Messy)
			if o.Messy && rng.IntN(4) == 0 {
				rec[8] = stated
			}
			if o.Messy && rng.IntN(25) == 0 && rec[8] == "" {
				rec[7] = "" // the ZIP decides
				if zip[:2] == "07" && stated != "NJ" {
					stated = "NJ"
					t.Conflicts--
				}
			}
			t.States[stated]++
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return t, err
	}
	return t, bw.Flush()
}

func salesforceID(rng *rand.Rand, i int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := []byte(fmt.Sprintf("003%07d", i))
	for len(b) < 15 {
		b = append(b, chars[rng.IntN(len(chars))])
	}
	return NormalizeCRMIDCase(string(b))
}

// NormalizeCRMIDCase returns a 15-character Id in its 18-character form,
// keeping the case of the first 15 characters (as Salesforce writes it).
func NormalizeCRMIDCase(id15 string) string {
	full := NormalizeCRMID(id15)
	return id15 + full[15:]
}

func asciiOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && r != ' ' && r != '\'' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func stateText(rng *rand.Rand, code string, messy bool) string {
	if !messy {
		return code
	}
	name := JurisdictionName(code)
	switch rng.IntN(6) {
	case 0:
		return strings.ToLower(code)
	case 1:
		return name
	case 2:
		return strings.ToUpper(name)
	case 3:
		for alias, c := range map[string]string{"Calif.": "CA", "Mass.": "MA", "N.Y.": "NY", "Penn.": "PA", "Wash.": "WA", "Tex.": "TX", "Fla.": "FL"} {
			if c == code {
				return alias
			}
		}
		return " " + code + " "
	}
	return code
}

func zipText(rng *rand.Rand, zip string, messy bool) string {
	if !messy {
		return zip
	}
	switch rng.IntN(6) {
	case 0:
		return zip + fmt.Sprintf("-%04d", rng.IntN(10000))
	case 1:
		return strings.TrimLeft(zip, "0")
	case 2:
		return zip + fmt.Sprintf("%04d", rng.IntN(10000))
	}
	return zip
}

func countryText(rng *rand.Rand, messy bool) string {
	if !messy {
		return "US"
	}
	return []string{"", "US", "USA", "United States", "U.S.A.", "united states of america"}[rng.IntN(6)]
}
