package residents

import (
	"strings"
	"testing"
)

func TestNormalizeState(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"CA": "CA", " ca ": "CA", "California": "CA", "CALIFORNIA": "CA", "Calif.": "CA", "Mass.": "MA",
		"N.Y.": "NY", "new york": "NY", "Penn.": "PA", "Wash.": "WA", "Tex.": "TX", "Fla.": "FL",
		"District of Columbia": "DC", "D.C.": "DC", "Puerto Rico": "PR", "pr": "PR", "GU": "GU",
		"U.S. Virgin Islands": "VI", "vi": "VI", "AS": "AS", "MP": "MP", "AE": "AE", "A.P.": "AP", "aa": "AA",
		"Ontario": "", "": "", "XX": "", "Bavaria": "",
	} {
		if got := NormalizeState(in); got != want {
			t.Errorf("NormalizeState(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeCountry(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"US": "US", "usa": "US", "U.S.A.": "US", "United States of America": "US", "united states": "US",
		"Canada": "CA", "CA": "CA", "DEU": "DE", "Germany": "DE", "UK": "GB", "fr": "FR", "Puerto Rico": "PR",
		"Narnia": "", "ZZ": "", "": "",
	} {
		if got := NormalizeCountry(in); got != want {
			t.Errorf("NormalizeCountry(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestZIP(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"02134": "02134", "2134": "02134", "02134-1234": "02134", "2134-1234": "02134", "021341234": "02134",
		"501": "00501", "95814": "95814", "ABCDE": "", "1234567": "", "M5V 2T6": "", "": "", "02134-12": "",
	} {
		if got := NormalizeZIP(in); got != want {
			t.Errorf("NormalizeZIP(%q) = %q, want %q", in, got, want)
		}
	}
	for zip, want := range map[string]string{
		"02134": "MA", "05501": "MA", "05401": "VT", "00501": "NY", "00601": "PR", "00802": "VI", "96799": "AS",
		"96910": "GU", "96950": "MP", "96813": "HI", "09001": "AE", "34001": "AA", "96201": "AP", "20001": "DC",
		"20101": "VA", "73301": "TX", "88510": "TX", "99501": "AK", "10001": "NY", "60601": "IL", "00001": "",
	} {
		if got := ZIPState(zip); got != want {
			t.Errorf("ZIPState(%q) = %q, want %q", zip, got, want)
		}
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	mail := func(a Address) NamedAddress { return NamedAddress{Group: "Mailing", Address: a} }
	bill := func(a Address) NamedAddress { return NamedAddress{Group: "Billing", Address: a} }
	cases := []struct {
		name   string
		blocks []NamedAddress
		want   Residency
	}{
		{"state code wins", []NamedAddress{mail(Address{State: "Texas", StateCode: "CA", PostalCode: "95814"})},
			Residency{Jurisdiction: "CA", Country: "US", ZIP3: "958", DecidedBy: "Mailing state code", Group: "Mailing"}},
		{"free text state", []NamedAddress{mail(Address{State: "Calif.", PostalCode: "95814", Country: "USA"})},
			Residency{Jurisdiction: "CA", Country: "US", ZIP3: "958", DecidedBy: "Mailing state", Group: "Mailing"}},
		{"state from ZIP", []NamedAddress{mail(Address{State: "??", PostalCode: "2134"})},
			Residency{Jurisdiction: "MA", Country: "US", ZIP3: "021", DecidedBy: "Mailing ZIP code prefix", Group: "Mailing"}},
		{"conflict", []NamedAddress{mail(Address{State: "NY", PostalCode: "07030"})},
			Residency{Jurisdiction: "NY", Country: "US", ZIP3: "070", DecidedBy: "Mailing state", Group: "Mailing", Conflict: true, ZIPState: "NJ"}},
		{"foreign", []NamedAddress{mail(Address{State: "ON", PostalCode: "M5V 2T6", Country: "Canada"})},
			Residency{Country: "CA", DecidedBy: "Mailing country", Group: "Mailing"}},
		{"territory as country", []NamedAddress{mail(Address{City: "San Juan", PostalCode: "00901", Country: "Puerto Rico"})},
			Residency{Jurisdiction: "PR", Country: "US", ZIP3: "009", DecidedBy: "Mailing country", Group: "Mailing"}},
		{"empty mailing, billing decides", []NamedAddress{mail(Address{}), bill(Address{StateCode: "WA"})},
			Residency{Jurisdiction: "WA", Country: "US", DecidedBy: "Billing state code", Group: "Billing"}},
		{"unusable mailing, billing decides", []NamedAddress{mail(Address{Street: "1 Main St", State: "Somewhere"}), bill(Address{PostalCode: "60601"})},
			Residency{Jurisdiction: "IL", Country: "US", ZIP3: "606", DecidedBy: "Billing ZIP code prefix", Group: "Billing"}},
		{"nothing", []NamedAddress{mail(Address{Street: "1 Main St"})}, Residency{}},
		{"unreadable country", []NamedAddress{mail(Address{Country: "Narnia", PostalCode: "12345"})}, Residency{}},
	}
	for _, c := range cases {
		if got := Resolve(c.blocks, "US"); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	if got := Resolve([]NamedAddress{mail(Address{City: "Berlin", PostalCode: "10115"})}, "DE"); got.Country != "DE" || got.Jurisdiction != "" {
		t.Errorf("blank country with home DE: %+v", got)
	}
}

func TestMessierAddresses(t *testing.T) {
	t.Parallel()
	mail := func(a Address) []NamedAddress { return []NamedAddress{{Group: "Mailing", Address: a}} }
	if r := Resolve(mail(Address{State: "Ontario", PostalCode: "M5V 2T6"}), "US"); r.Country != "CA" || r.Jurisdiction != "" {
		t.Errorf("Canadian address with a blank country: %+v", r)
	}
	if r := Resolve(mail(Address{State: "ON", PostalCode: "90210"}), "US"); r.Country != "US" || r.Jurisdiction != "CA" {
		t.Errorf("a province code with a US ZIP: the ZIP decides, not Canada: %+v", r)
	}
	if NormalizeZIP("02134 1234") != "02134" {
		t.Error("ZIP+4 with a space")
	}
}

func TestSemicolonAndTabSeparatedFiles(t *testing.T) {
	t.Parallel()
	for sep, in := range map[string]string{
		"semicolon": "FirstName;LastName;MailingState\nAna;Lopez;CA\n",
		"tab":       "FirstName\tLastName\tMailingState\nAna\tLopez\tCA\n",
	} {
		s, err := NewSource(strings.NewReader(in), EncodingAuto)
		if err != nil {
			t.Fatal(err)
		}
		h, _, _ := s.Read()
		if len(h) != 3 || h[2] != "MailingState" {
			t.Errorf("%s: header %q", sep, h)
		}
	}
}
