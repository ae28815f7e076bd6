package residents

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"breachdesk/internal/cases"
)

// Person is one CRM record after reading its mapped columns.
type Person struct {
	CRMID, First, Last, Full, Email, Phone string
	Addresses                              []NamedAddress
	// Elements are the exposed data elements given on the row; nil means
	// the case's elements apply.
	Elements []string
}

// NormalizeCRMID returns a Salesforce Id in its 18-character form, upper
// case, so the 15-character and 18-character forms of one record match.
// Other ids are trimmed and upper-cased.
func NormalizeCRMID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) == 15 && isAlnum(id) {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
		var suffix [3]byte
		for block := 0; block < 3; block++ {
			n := 0
			for i := 0; i < 5; i++ {
				if c := id[block*5+i]; c >= 'A' && c <= 'Z' {
					n |= 1 << i
				}
			}
			suffix[block] = alphabet[n]
		}
		id += string(suffix[:])
	}
	return strings.ToUpper(id)
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// NormalizeEmail trims and lower-cases an address; "" when it has no "@".
func NormalizeEmail(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	if i := strings.LastIndexByte(e, '@'); i <= 0 || i == len(e)-1 {
		return ""
	}
	return e
}

// appendNormText appends the parts joined by spaces, lower-cased, without
// punctuation and with runs of spaces folded, for matching names and
// streets written differently.
func appendNormText(dst []byte, parts ...string) []byte {
	start, space := len(dst), false
	for i, s := range parts {
		space = space || i > 0
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
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// appendNameAddressKey appends the normalised name and postal address,
// nothing when either is missing: the name, the first address with a
// street, and its ZIP or else its city and where the person is counted.
// Blind indexes of stored residents are hashes of these bytes, so they
// must not change.
func (p Person) appendNameAddressKey(dst []byte, r Residency) []byte {
	start := len(dst)
	if strings.TrimSpace(p.First) != "" || strings.TrimSpace(p.Last) != "" {
		dst = appendNormText(dst, p.First, p.Last)
	} else {
		dst = appendNormText(dst, p.Full)
	}
	if len(dst) == start {
		return dst
	}
	for _, a := range p.Addresses {
		mark := len(dst)
		dst = appendNormText(append(dst, '|'), a.Street)
		if len(dst) == mark+1 {
			dst = dst[:mark]
			continue
		}
		dst = append(dst, '|')
		if zip := NormalizeZIP(a.PostalCode); zip != "" {
			return append(dst, zip...)
		}
		dst = append(appendNormText(dst, a.City), '|')
		return append(append(dst, r.Jurisdiction...), r.Country...)
	}
	return dst[:start]
}

var elementLookup = func() map[string]string {
	m := map[string]string{}
	for _, o := range cases.DataElements {
		m[squash(o.Value)] = o.Value
		m[squash(o.Label)] = o.Value
	}
	for alias, v := range map[string]string{
		"socialsecuritynumber": "ssn", "driverslicense": "drivers_license", "dl": "drivers_license",
		"stateid": "drivers_license", "creditcard": "payment_card", "card": "payment_card", "cardnumber": "payment_card",
		"bankaccount": "financial_account", "account": "financial_account", "password": "credentials",
		"dob": "date_of_birth", "birthdate": "date_of_birth", "emailaddress": "email", "address": "postal_address",
		"mailingaddress": "postal_address", "health": "medical", "healthinsurance": "health_insurance", "pin": "access_code",
	} {
		m[alias] = v
	}
	return m
}()

// ParseElements reads a per-row list of exposed data elements ("ssn;
// email", "SSN, Date of birth"). It returns an error naming the first
// element it does not know.
func ParseElements(s string) ([]string, error) {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		v, ok := elementLookup[squash(part)]
		if !ok {
			return nil, fmt.Errorf("unknown data element %q", strings.TrimSpace(part))
		}
		dup := false
		for _, e := range out {
			dup = dup || e == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out, nil
}
