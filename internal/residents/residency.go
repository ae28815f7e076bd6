package residents

// Address is one address block of a CRM record (Mailing, Billing, …) as
// read from its mapped columns.
type Address struct {
	Street, City, State, StateCode, PostalCode, Country, CountryCode string
}

func (a Address) empty() bool {
	return a.Street == "" && a.City == "" && a.State == "" && a.StateCode == "" && a.PostalCode == "" &&
		a.Country == "" && a.CountryCode == ""
}

// NamedAddress is an address block with the name of its group ("Mailing").
type NamedAddress struct {
	Group string
	Address
}

// Residency is where a person is counted, and why.
type Residency struct {
	// Jurisdiction is the USPS code for people in the US (states, DC,
	// territories, military); "" otherwise.
	Jurisdiction string
	// Country is the ISO 3166-1 alpha-2 code; "US" for every US
	// jurisdiction; "" when unknown.
	Country string
	// ZIP3 is the three-digit ZIP prefix, for US addresses with a ZIP.
	ZIP3 string
	// DecidedBy names the field that decided, e.g. "Mailing state code".
	DecidedBy string
	// Group is the address block that decided ("Mailing").
	Group string
	// Conflict is set when the state and the ZIP point to different
	// jurisdictions; Jurisdiction then follows the state, and ZIPState
	// holds what the ZIP said.
	Conflict bool
	ZIPState string
}

// Unknown reports whether no usable address was found.
func (r Residency) Unknown() bool { return r.Country == "" }

// Resolve decides a person's residency from their address blocks, tried in
// order: the first block that yields a country, state or ZIP decides. A
// blank country means home (the organisation's home country, ISO alpha-2).
func Resolve(blocks []NamedAddress, home string) Residency {
	for _, b := range blocks {
		if b.empty() {
			continue
		}
		if r, ok := resolveBlock(b, home); ok {
			r.Group = b.Group
			return r
		}
	}
	return Residency{}
}

func resolveBlock(b NamedAddress, home string) (Residency, bool) {
	// The fields that decided are named (b.Group + suffix) only once one
	// has: a million rows would otherwise build two unused strings each.
	country, countryField := "", ""
	if b.CountryCode != "" {
		country, countryField = NormalizeCountry(b.CountryCode), " country code"
	}
	if country == "" && b.Country != "" {
		country, countryField = NormalizeCountry(b.Country), " country"
	}
	state, stateField := "", ""
	if b.StateCode != "" {
		state, stateField = NormalizeState(b.StateCode), " state code"
	}
	if state == "" && b.State != "" {
		state, stateField = NormalizeState(b.State), " state"
	}
	zip := NormalizeZIP(b.PostalCode)
	zipState := ZIPState(zip)

	countryGiven := b.CountryCode != "" || b.Country != ""
	// A Canadian province with a Canadian postal code and no country is in Canada.
	if !countryGiven && state == "" && canadianProvinces[squash(firstNonEmpty(b.StateCode, b.State))] && canadianPostal(b.PostalCode) {
		return Residency{Country: "CA", DecidedBy: b.Group + " province and postal code (blank country)"}, true
	}
	switch {
	case territoryCountry[country]:
		r := Residency{Jurisdiction: country, Country: "US", DecidedBy: b.Group + countryField}
		if zip != "" {
			r.ZIP3 = zip[:3]
		}
		return r, true
	case country == "" && countryGiven && state == "":
		// A country we cannot read and no US state: not decidable here.
		return Residency{}, false
	case country != "" && country != "US":
		return Residency{Country: country, DecidedBy: b.Group + countryField}, true
	case country == "" && home != "US" && state == "":
		return Residency{Country: home, DecidedBy: b.Group + " (blank country: home country)"}, true
	}
	// The US, said or assumed.
	r := Residency{Country: "US"}
	if zipState != "" {
		r.ZIP3 = zip[:3]
	}
	switch {
	case state != "" && zipState != "" && state != zipState:
		r.Jurisdiction, r.DecidedBy, r.Conflict, r.ZIPState = state, b.Group+stateField, true, zipState
	case state != "":
		r.Jurisdiction, r.DecidedBy = state, b.Group+stateField
	case zipState != "":
		r.Jurisdiction, r.DecidedBy = zipState, b.Group+" ZIP code prefix"
	default:
		return Residency{}, false
	}
	return r, true
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
