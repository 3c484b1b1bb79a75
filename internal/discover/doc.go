// Package discover finds columns that hold personal data, so a plan can
// mask them before a test run: it looks at column names and at the values
// (email addresses, phone numbers, IBANs with a valid checksum, VAT
// numbers, birth dates), counts the share of values that match, and
// suggests a masking kind. It reports shares and counts, never values.
package discover
