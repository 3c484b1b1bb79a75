package discover

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	cardRE = regexp.MustCompile(`^\d{4}(?:[ -]?\d{2,4}){2,4}$`)
	// Belgian national number: YY.MM.DD-NNN.CC (separators optional).
	beNNRE = regexp.MustCompile(`^(\d{2})\.?(\d{2})\.?(\d{2})-?(\d{3})\.?(\d{2})$`)
	// French NIR: sex, year, month, department, commune, order, key.
	frNIRRE = regexp.MustCompile(`^([12])\s?(\d{2})\s?(\d{2})\s?(\d{2}|2[AB])\s?(\d{3})\s?(\d{3})\s?(\d{2})$`)
	usSSNRE = regexp.MustCompile(`^(\d{3})-(\d{2})-(\d{4})$`)
)

// isCard says whether s is a payment card number: 13 to 19 digits, in
// groups or not, passing the Luhn check.
func isCard(s string) bool {
	if !cardRE.MatchString(s) {
		return false
	}
	d := strings.NewReplacer(" ", "", "-", "").Replace(s)
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// isNationalID recognises national identity numbers by their structure
// and check digits: Belgian national numbers, French NIR, US SSN.
func isNationalID(s string) bool {
	if m := beNNRE.FindStringSubmatch(s); m != nil {
		body, _ := strconv.ParseInt(m[1]+m[2]+m[3]+m[4], 10, 64)
		check, _ := strconv.ParseInt(m[5], 10, 64)
		return 97-body%97 == check || 97-(2_000_000_000+body)%97 == check // born before or after 2000
	}
	if m := frNIRRE.FindStringSubmatch(s); m != nil {
		dept := strings.NewReplacer("2A", "19", "2B", "18").Replace(m[4])
		body, err := strconv.ParseInt(m[1]+m[2]+m[3]+dept+m[5]+m[6], 10, 64)
		key, _ := strconv.ParseInt(m[7], 10, 64)
		return err == nil && 97-body%97 == key
	}
	if m := usSSNRE.FindStringSubmatch(s); m != nil {
		return m[1] != "000" && m[1] != "666" && m[1][0] != '9' && m[2] != "00" && m[3] != "0000"
	}
	return false
}
