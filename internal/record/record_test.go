package record

import (
	"testing"
	"time"
)

func TestTextRendersTimesAsOdooWritesThem(t *testing.T) {
	cases := map[string]any{
		"2021-03-04":          time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC),
		"2021-03-04 10:30:15": time.Date(2021, 3, 4, 12, 30, 15, 0, time.FixedZone("CEST", 2*3600)),
		"":                    nil,
		"abc":                 []byte("abc"),
		"42":                  int64(42),
	}
	for want, v := range cases {
		if got := Text(v); got != want {
			t.Errorf("Text(%#v) = %q, want %q", v, got, want)
		}
	}
}
