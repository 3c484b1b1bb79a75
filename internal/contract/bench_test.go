package contract

import (
	"context"
	"fmt"
	"testing"

	"github.com/ferry-migrate/ferry/internal/odoo"
	"github.com/ferry-migrate/ferry/internal/sandbox"
	"github.com/ferry-migrate/ferry/internal/secret"
)

// BenchmarkLoadBatch measures one batch of 200 partners through the
// client, the protocol and the sandbox's load, per transport.
func BenchmarkLoadBatch(b *testing.B) {
	for _, tr := range []odoo.Transport{odoo.JSONRPC, odoo.XMLRPC, odoo.JSON2} {
		b.Run(string(tr), func(b *testing.B) {
			sb, err := sandbox.New(sandbox.Options{Version: 19, AdminKey: "bench-key"})
			if err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			cfg := odoo.Config{URL: sb.URL, Database: sb.Database(), Login: "admin", Transport: tr}
			if tr == odoo.JSON2 {
				cfg.APIKey = secret.New("bench-key")
			} else {
				cfg.Password = secret.New("admin")
			}
			c, err := odoo.Dial(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			rows := make([][]string, 200)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range rows {
					rows[j] = []string{fmt.Sprintf("bench.p_%d_%d", i, j), fmt.Sprintf("Partner %d", j), "p@example.com", "BE", "1"}
				}
				res, err := c.Load(context.Background(), "res.partner", []string{"id", "name", "email", "country_id", "is_company"}, rows, nil)
				if err != nil || res.RolledBack {
					b.Fatal(err, res)
				}
			}
			b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
