package odoo

import "github.com/ferry-migrate/ferry/internal/secret"

func newSecret(s string) secret.String { return secret.New(s) }
