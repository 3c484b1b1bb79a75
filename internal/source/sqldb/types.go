package sqldb

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/record"
)

// columnType maps a driver's database type name to a Ferry type. SQLite
// reports the declared type, which follows SQLite's affinity rules.
func columnType(kind, db string) record.Type {
	t := strings.ToUpper(strings.TrimSpace(db))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	t = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(t, "UNSIGNED "), " UNSIGNED"))
	if typ, ok := exactTypes[t]; ok {
		return typ
	}
	if kind == "sqlite" {
		return sqliteAffinity(t)
	}
	return record.TypeString
}

var exactTypes = map[string]record.Type{
	"INT": record.TypeInt, "INT2": record.TypeInt, "INT4": record.TypeInt, "INT8": record.TypeInt,
	"INTEGER": record.TypeInt, "TINYINT": record.TypeInt, "SMALLINT": record.TypeInt,
	"MEDIUMINT": record.TypeInt, "BIGINT": record.TypeInt, "YEAR": record.TypeInt,
	"NUMERIC": record.TypeDecimal, "DECIMAL": record.TypeDecimal,
	"FLOAT": record.TypeFloat, "FLOAT4": record.TypeFloat, "FLOAT8": record.TypeFloat,
	"DOUBLE": record.TypeFloat, "DOUBLE PRECISION": record.TypeFloat, "REAL": record.TypeFloat,
	"BOOL": record.TypeBool, "BOOLEAN": record.TypeBool,
	"DATE":      record.TypeDate,
	"TIMESTAMP": record.TypeDateTime, "TIMESTAMPTZ": record.TypeDateTime, "DATETIME": record.TypeDateTime,
	"BYTEA": record.TypeBytes, "BLOB": record.TypeBytes, "TINYBLOB": record.TypeBytes,
	"MEDIUMBLOB": record.TypeBytes, "LONGBLOB": record.TypeBytes, "BINARY": record.TypeBytes,
	"VARBINARY": record.TypeBytes, "BIT": record.TypeBytes,
}

// sqliteAffinity applies SQLite's rules for a declared type that is not
// one of the usual names (https://sqlite.org/datatype3.html, 3.1).
func sqliteAffinity(t string) record.Type {
	switch {
	case t == "":
		return record.TypeUnknown
	case strings.Contains(t, "INT"):
		return record.TypeInt
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return record.TypeString
	case strings.Contains(t, "BLOB"):
		return record.TypeBytes
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return record.TypeFloat
	}
	return record.TypeDecimal
}

// convert gives a driver value the Go type of its column's Ferry type:
// int64, float64, decimal string, bool, time.Time, []byte or string. A
// value that does not fit (text in an SQLite integer column) is returned
// as it came, with a description of the problem.
func convert(v any, t record.Type) (any, string) {
	v = normalize(v)
	if v == nil {
		return nil, ""
	}
	var out any
	var ok bool
	switch t {
	case record.TypeInt:
		out, ok = toInt(v)
	case record.TypeFloat:
		out, ok = toFloat(v)
	case record.TypeDecimal:
		out, ok = toDecimal(v)
	case record.TypeBool:
		out, ok = toBool(v)
	case record.TypeDate, record.TypeDateTime:
		out, ok = toTime(v)
	case record.TypeBytes:
		out, ok = toBytes(v)
	case record.TypeString:
		out, ok = record.Text(v), true
	default:
		out, ok = v, true
	}
	if !ok {
		return v, fmt.Sprintf("%q is not a valid %s", record.Text(v), t)
	}
	return out, ""
}

// normalize reduces the drivers' Go types to the few Ferry knows.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return strconv.FormatUint(x, 10)
		}
		return int64(x)
	case float32:
		return float64(x)
	case nil, int64, float64, bool, string, []byte, time.Time:
		return v
	}
	return fmt.Sprint(v)
}

func toInt(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case string, []byte:
		n, err := strconv.ParseInt(strings.TrimSpace(record.Text(x)), 10, 64)
		return n, err == nil
	}
	return nil, false
}

func toFloat(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case string, []byte:
		f, err := strconv.ParseFloat(strings.TrimSpace(record.Text(x)), 64)
		return f, err == nil
	}
	return nil, false
}

// toDecimal keeps decimals exact: drivers send them as text. SQLite's
// numeric columns hold binary numbers; their shortest text is used.
func toDecimal(v any) (any, bool) {
	switch x := v.(type) {
	case string, []byte:
		s := strings.TrimSpace(record.Text(x))
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, false
		}
		return s, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return nil, false
}

func toBool(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case string, []byte:
		switch strings.ToLower(strings.TrimSpace(record.Text(x))) {
		case "1", "t", "true", "y", "yes":
			return true, true
		case "0", "f", "false", "n", "no":
			return false, true
		}
	}
	return nil, false
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func toTime(v any) (any, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string, []byte:
		s := strings.TrimSpace(record.Text(x))
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	return nil, false
}

func toBytes(v any) (any, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}
