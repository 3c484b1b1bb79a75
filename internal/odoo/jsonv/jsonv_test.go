package jsonv

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeKeepsIntegersExact(t *testing.T) {
	v, err := Decode([]byte(`{"id": 9007199254740993, "price": 1.0, "xs": [1, 2.5, "a", null, true]}`))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"id": int64(9007199254740993), "price": 1.0, "xs": []any{int64(1), 2.5, "a", nil, true}}, v)
	_, err = Decode([]byte(`{} {}`))
	require.Error(t, err)
}
