// Package demo bundles a small legacy dataset and the plan that migrates
// it, for `ferry demo` and for tests: customers with contact persons,
// product categories, products, and invoices with lines — about 5,000 rows
// with the dirt real exports have (malformed emails, unknown countries,
// duplicate customers, an unbalanced invoice, a line pointing at a product
// that does not exist). The data is generated deterministically by
// generate_test.go (go test ./internal/demo -run TestGenerate -update).
package demo
