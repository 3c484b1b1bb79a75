package xlsx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ferry-migrate/ferry/internal/record"
)

// dateKind says how a number format shows a number: as a plain number, a
// date, a time of day, or both.
type dateKind int

const (
	notDate dateKind = iota
	dateOnly
	timeOnly
	dateTime
)

// layouts renders each kind the way Odoo's load accepts it.
var layouts = map[dateKind]string{dateOnly: "2006-01-02", timeOnly: "15:04:05", dateTime: "2006-01-02 15:04:05"}

// types is the column type each kind reports.
var types = map[dateKind]record.Type{dateOnly: record.TypeDate, timeOnly: record.TypeString, dateTime: record.TypeDateTime}

// builtinKind classifies Excel's built-in number formats.
func builtinKind(id int) dateKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return dateOnly
	case id >= 18 && id <= 21, id == 32, id == 33, id >= 45 && id <= 47:
		return timeOnly
	case id == 22:
		return dateTime
	}
	return notDate
}

// customKind classifies a custom format code by its date and time tokens,
// ignoring quoted text, escaped characters and bracketed colours, locales
// and conditions (but not elapsed-time brackets such as [h]).
func customKind(code string) dateKind {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				i = len(code)
			} else {
				i += j + 1
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
				continue
			}
			if inner := strings.ToLower(code[i+1 : i+j]); strings.Trim(inner, "hms") == "" {
				b.WriteString(inner)
			}
			i += j
		default:
			b.WriteByte(c | 0x20)
		}
	}
	s := b.String()
	hasDate := strings.ContainsAny(s, "yd")
	hasTime := strings.ContainsAny(s, "hs")
	switch {
	case hasDate && hasTime:
		return dateTime
	case hasDate, strings.Contains(s, "m") && !hasTime:
		return dateOnly
	case hasTime:
		return timeOnly
	}
	return notDate
}

// styles caches each style's date kind.
type styles struct {
	f     *excelize.File
	kinds map[int]dateKind
}

func (s *styles) kind(id int) dateKind {
	if id <= 0 {
		return notDate
	}
	if k, ok := s.kinds[id]; ok {
		return k
	}
	k := notDate
	if st, err := s.f.GetStyle(id); err == nil && st != nil {
		if st.CustomNumFmt != nil {
			k = customKind(*st.CustomNumFmt)
		} else {
			k = builtinKind(st.NumFmt)
		}
	}
	s.kinds[id] = k
	return k
}

// excelTime converts a serial date (days since the epoch of the 1900 or
// 1904 system) to a time, rounded to the second as Excel shows it.
func excelTime(v float64, date1904 bool) time.Time {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	} else if v < 60 {
		epoch = epoch.AddDate(0, 0, 1) // before Excel's phantom 29 February 1900
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	return epoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
}

// value converts a cell to Ferry's types: text as string, booleans as
// bool, numbers as int64 when whole (and exact) or float64, dates and
// times as ISO text (YYYY-MM-DD, HH:MM:SS, YYYY-MM-DD HH:MM:SS), an empty
// cell as nil. An Excel error value (#N/A, #REF!) is kept as its text and
// reported as a problem. It returns the value and its column type.
func (s *Sheet) value(raw string, c cell, st *styles, date1904 bool) (any, record.Type, string) {
	if raw == "" {
		return nil, "", ""
	}
	switch c.t {
	case "s", "str", "inlineStr":
		return raw, record.TypeString, ""
	case "b":
		return raw == "1" || strings.EqualFold(raw, "true"), record.TypeBool, ""
	case "e":
		return raw, record.TypeString, "holds the Excel error " + raw
	case "d":
		return isoDate(raw)
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw, record.TypeString, ""
	}
	if k := st.kind(c.style); k != notDate {
		if f < 0 || f > 2958465 { // beyond 9999-12-31
			return raw, record.TypeString, fmt.Sprintf("holds %s, which is not a date", raw)
		}
		return excelTime(f, date1904).Format(layouts[k]), types[k], ""
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), record.TypeInt, ""
	}
	return f, record.TypeFloat, ""
}

// isoDate reads a cell of type d (an ISO 8601 date written as text).
func isoDate(raw string) (any, record.Type, string) {
	for _, l := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(l, raw); err == nil {
			if l == "2006-01-02" {
				return t.Format(layouts[dateOnly]), record.TypeDate, ""
			}
			return t.UTC().Format(layouts[dateTime]), record.TypeDateTime, ""
		}
	}
	return raw, record.TypeString, fmt.Sprintf("holds %q, which is not an ISO 8601 date", raw)
}
