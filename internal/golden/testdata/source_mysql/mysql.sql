CREATE TABLE products (code varchar(20) COLLATE utf8mb4_bin PRIMARY KEY, name varchar(100) NOT NULL, price decimal(10,2), active tinyint(1), weight double, stock int) CHARACTER SET utf8mb4;
INSERT INTO products VALUES
  ('LAMP', 'Desk lamp 💡', 19.90, 1, 1.25, 10),
  ('BULB', 'Bulb', 2.50, 0, 0.05, 0),
  ('bulb', 'Bulb (lower-case code)', 2.50, 1, 0.05, 3),
  ('CABLE', 'Cable 3 m', NULL, NULL, NULL, NULL),
  ('X', '', 1.00, 1, 0, -5);
CREATE TABLE categories (id int PRIMARY KEY, name varchar(50), parent_id int);
INSERT INTO categories VALUES (1, 'All', NULL), (2, 'Lighting', 1), (3, 'Cables', 7);
