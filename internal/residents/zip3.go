package residents

import "strings"

// zip3Ranges assigns three-digit ZIP prefixes to USPS codes, from the
// USPS's prefix assignments. Prefixes not listed are unassigned. A few
// five-digit ranges inside a prefix go elsewhere: see zip5Exceptions.
var zip3Ranges = []struct {
	from, to int
	code     string
}{
	{5, 5, "NY"}, {6, 7, "PR"}, {8, 8, "VI"}, {9, 9, "PR"},
	{10, 27, "MA"}, {28, 29, "RI"}, {30, 38, "NH"}, {39, 49, "ME"},
	{50, 54, "VT"}, {55, 55, "MA"}, {56, 59, "VT"}, {60, 69, "CT"},
	{70, 89, "NJ"}, {90, 98, "AE"}, {100, 149, "NY"}, {150, 196, "PA"},
	{197, 199, "DE"}, {200, 200, "DC"}, {201, 201, "VA"}, {202, 205, "DC"},
	{206, 219, "MD"}, {220, 246, "VA"}, {247, 268, "WV"}, {270, 289, "NC"},
	{290, 299, "SC"}, {300, 319, "GA"}, {320, 339, "FL"}, {340, 340, "AA"},
	{341, 349, "FL"}, {350, 369, "AL"}, {370, 385, "TN"}, {386, 397, "MS"},
	{398, 399, "GA"}, {400, 427, "KY"}, {430, 459, "OH"}, {460, 479, "IN"},
	{480, 499, "MI"}, {500, 528, "IA"}, {530, 549, "WI"}, {550, 567, "MN"},
	{569, 569, "DC"}, {570, 577, "SD"}, {580, 588, "ND"}, {590, 599, "MT"},
	{600, 629, "IL"}, {630, 658, "MO"}, {660, 679, "KS"}, {680, 693, "NE"},
	{700, 715, "LA"}, {716, 729, "AR"}, {730, 732, "OK"}, {733, 733, "TX"},
	{734, 749, "OK"}, {750, 799, "TX"}, {800, 816, "CO"}, {820, 831, "WY"},
	{832, 838, "ID"}, {840, 847, "UT"}, {850, 865, "AZ"}, {870, 884, "NM"},
	{885, 885, "TX"}, {889, 898, "NV"}, {900, 961, "CA"}, {962, 966, "AP"},
	{967, 968, "HI"}, {969, 969, "GU"}, {970, 979, "OR"}, {980, 994, "WA"},
	{995, 999, "AK"},
}

// zip5Exceptions are five-digit ZIPs whose prefix belongs to another
// jurisdiction: American Samoa inside Hawaii's 967, the Northern Mariana
// Islands inside Guam's 969.
var zip5Exceptions = map[string]string{"96799": "AS", "96950": "MP", "96951": "MP", "96952": "MP"}

var zip3Table = func() [1000]string {
	var t [1000]string
	for _, r := range zip3Ranges {
		for p := r.from; p <= r.to; p++ {
			t[p] = r.code
		}
	}
	return t
}()

// NormalizeZIP returns the five-digit ZIP in s ("02134", "02134-1234",
// "021341234"), repairing one that lost its leading zeros in a
// spreadsheet ("2134", "2134-1234"). It returns "" when s is not a US ZIP.
func NormalizeZIP(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	base, plus4, hasPlus := strings.Cut(s, "-")
	if !hasPlus {
		base, plus4, hasPlus = strings.Cut(s, " ")
	}
	if !hasPlus && len(base) == 9 {
		base, plus4, hasPlus = base[:5], base[5:], true
	}
	if hasPlus && (len(plus4) != 4 || !digits(plus4)) {
		return ""
	}
	if !digits(base) || len(base) < 3 || len(base) > 5 {
		return ""
	}
	return strings.Repeat("0", 5-len(base)) + base
}

// ZIPState returns the USPS code of the jurisdiction a five-digit ZIP
// belongs to, or "" for an unassigned prefix.
func ZIPState(zip5 string) string {
	if len(zip5) != 5 {
		return ""
	}
	if c, ok := zip5Exceptions[zip5]; ok {
		return c
	}
	p := int(zip5[0]-'0')*100 + int(zip5[1]-'0')*10 + int(zip5[2]-'0')
	return zip3Table[p]
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
