CREATE SCHEMA erp;
CREATE TABLE erp.customers (id integer PRIMARY KEY, name text NOT NULL, email text, credit numeric(12,2), vip boolean, country char(2));
INSERT INTO erp.customers VALUES
  (1, 'Acme SA', 'info@acme.example', 1500.50, true, 'BE'),
  (2, 'Beta GmbH', NULL, 0, false, 'DE'),
  (3, 'Gamma Srl', 'gamma-at-example', 10, NULL, 'IT'),
  (10, 'Ünïcödé ☃ Ltd', 'u@example.com', 99999999.99, true, 'GB');
CREATE TABLE erp.invoices (number text PRIMARY KEY, customer integer, total numeric(12,2));
INSERT INTO erp.invoices VALUES ('INV1', 1, 30.00), ('INV2', 3, 5.00), ('INV3', 1, 99.00);
CREATE TABLE erp.invoice_lines (invoice text, line integer, label text, qty numeric(10,3), price numeric(12,2), PRIMARY KEY (invoice, line));
INSERT INTO erp.invoice_lines VALUES ('INV1', 1, 'Lamp', 2, 10.00), ('INV1', 2, 'Bulb', 1, 10.00),
  ('INV2', 1, 'Lamp', 0.5, 10.00), ('INV3', 1, 'Lamp', 1, 10.00), ('INV4', 1, 'Orphan', 1, 1.00);
CREATE TABLE tags (code text PRIMARY KEY, name text);
INSERT INTO tags VALUES ('A', 'Key account'), ('B', NULL);
