package residents

import (
	"fmt"
	"slices"
	"strings"
)

// Fields a column can be mapped to. Address fields are "<group>.<part>".
const (
	FieldCRMID     = "crm_id"
	FieldFirstName = "first_name"
	FieldLastName  = "last_name"
	FieldFullName  = "full_name"
	FieldEmail     = "email"
	FieldPhone     = "phone"
	FieldElements  = "elements"
)

// AddressGroups are the address blocks of Salesforce objects, in the
// default order residency tries them. "Address" is the Lead's block,
// whose fields have no prefix.
var AddressGroups = []string{"Mailing", "Billing", "Shipping", "Other", "Address"}

// AddressParts are the fields of an address block.
var AddressParts = []string{"street", "city", "state", "state_code", "postal_code", "country", "country_code"}

// Mapping maps a field to the header of the column that holds it. It is
// keyed by header text, not position, so a saved mapping fits the next
// export of the same report.
type Mapping map[string]string

// Fields lists every mappable field with a label, in form order.
func Fields() []FieldInfo {
	out := []FieldInfo{
		{FieldCRMID, "CRM record Id"}, {FieldFirstName, "First name"}, {FieldLastName, "Last name"},
		{FieldFullName, "Full name"}, {FieldEmail, "E-mail"}, {FieldPhone, "Phone"},
		{FieldElements, "Exposed data elements (per row)"},
	}
	for _, g := range AddressGroups {
		for _, p := range AddressParts {
			out = append(out, FieldInfo{g + "." + p, g + " " + strings.ReplaceAll(p, "_", " ")})
		}
	}
	return out
}

// FieldInfo names a mappable field.
type FieldInfo struct{ Key, Label string }

// headerAliases maps squashed header text (API names and report labels,
// Person Account names included) to fields.
var headerAliases = func() map[string]string {
	m := map[string]string{
		"id": FieldCRMID, "contactid": FieldCRMID, "leadid": FieldCRMID, "personcontactid": FieldCRMID,
		"recordid": FieldCRMID, "crmid": FieldCRMID, "salesforceid": FieldCRMID,
		"firstname": FieldFirstName, "givenname": FieldFirstName, "first": FieldFirstName,
		"lastname": FieldLastName, "surname": FieldLastName, "familyname": FieldLastName, "last": FieldLastName,
		"name": FieldFullName, "fullname": FieldFullName, "contactname": FieldFullName, "leadname": FieldFullName,
		"email": FieldEmail, "emailaddress": FieldEmail, "personemail": FieldEmail, "email1": FieldEmail,
		"phone": FieldPhone, "phonenumber": FieldPhone, "mobilephone": FieldPhone, "mobile": FieldPhone,
		"personmobilephone": FieldPhone, "homephone": FieldPhone, "personhomephone": FieldPhone, "businessphone": FieldPhone,
		"exposedelements": FieldElements, "dataelements": FieldElements, "elementsexposed": FieldElements,
		"breachedfields": FieldElements, "exposeddata": FieldElements,
	}
	parts := map[string][]string{
		"street":       {"street", "address", "streetaddress", "addressline1", "line1"},
		"city":         {"city", "town"},
		"state":        {"state", "stateprovince", "province", "region"},
		"state_code":   {"statecode", "stateprovincecode", "provincecode"},
		"postal_code":  {"postalcode", "zippostalcode", "zip", "zipcode", "postcode", "postalzip"},
		"country":      {"country", "countryterritory"},
		"country_code": {"countrycode", "countryterritorycode"},
	}
	prefixes := map[string][]string{
		"Mailing":  {"mailing", "personmailing", "mailingaddress"},
		"Billing":  {"billing", "billingaddress"},
		"Shipping": {"shipping", "shippingaddress"},
		"Other":    {"other", "personother", "otheraddress"},
		"Address":  {""},
	}
	for group, pres := range prefixes {
		for part, names := range parts {
			for _, pre := range pres {
				for _, n := range names {
					if pre == "" && (n == "address") {
						continue
					}
					if _, taken := m[pre+n]; !taken {
						m[pre+n] = group + "." + part
					}
				}
			}
		}
	}
	return m
}()

// DetectMapping proposes a mapping for a header row: Salesforce API names
// (any case, as Data Loader's ALL-CAPS headers), report labels ("Mailing
// Zip/Postal Code") and Person Account names. The first column wins when
// two map to one field. Dotted relationship columns (Account.Name) are not
// the person's and stay unmapped.
func DetectMapping(header []string) Mapping {
	m := Mapping{}
	for _, h := range header {
		if strings.Contains(h, ".") && !strings.HasSuffix(strings.TrimSpace(h), ".") {
			continue
		}
		if f, ok := headerAliases[squash(h)]; ok {
			if _, taken := m[f]; !taken {
				m[f] = h
			}
		}
	}
	return m
}

// Validate checks m against header: every mapped column exists, fields are
// known, and the file has at least one address column and one column that
// identifies a person.
func (m Mapping) Validate(header []string) error {
	known := map[string]bool{}
	for _, f := range Fields() {
		known[f.Key] = true
	}
	for f, col := range m {
		if !known[f] {
			return fmt.Errorf("unknown field %q in the mapping", f)
		}
		if col != "" && !slices.Contains(header, col) {
			return fmt.Errorf("the mapping uses column %q for %s, but the file has no such column", col, f)
		}
	}
	hasAddress := false
	for f, col := range m {
		if col != "" && strings.Contains(f, ".") && !strings.HasSuffix(f, ".street") && !strings.HasSuffix(f, ".city") {
			hasAddress = true
		}
	}
	if !hasAddress {
		return fmt.Errorf("no column holds a state, ZIP or country, so no one's state of residence can be decided; map at least one (columns found: %s)", strings.Join(header, ", "))
	}
	if m[FieldCRMID] == "" && m[FieldFirstName] == "" && m[FieldLastName] == "" && m[FieldFullName] == "" && m[FieldEmail] == "" {
		return fmt.Errorf("no column identifies a person (name, e-mail or CRM Id); map at least one")
	}
	return nil
}
