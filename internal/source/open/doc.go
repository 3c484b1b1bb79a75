// Package open opens the source a plan's selection names, by kind: csv
// files (internal/source/csv), xlsx workbooks (internal/source/xlsx),
// postgres, mysql and sqlite databases (internal/source/sqldb), and models
// of another Odoo database (internal/source/odoosrc). It is the one place
// that knows every kind; the pipeline uses Open as its default opener.
//
// A csv or xlsx source whose path is sftp://user@host[:port]/dir reads its
// files from that SFTP server (internal/source/remote), with the login of
// its ssh: (private_key, passphrase or password by reference, known_hosts
// defaulting to ~/.ssh/known_hosts): the connection is made at Open, a
// missing file is still reported by Schema and Scan. A postgres or mysql
// source with ssh: {host, user, …} dials the database through that bastion
// (internal/sshconn.Tunnel); its DSN names the database as the bastion
// sees it. Other kinds refuse ssh:.
package open
