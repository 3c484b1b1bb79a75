package sandbox

// ActivateLanguages activates languages (res.lang codes such as fr_BE), as
// an administrator does in Settings › Languages: translated fields can
// then be read and written in them. A fresh sandbox has en_US only.
func (s *Server) ActivateLanguages(codes ...string) error { return s.db.ActivateLanguages(codes...) }

// ActivateCurrencies activates currencies by name (EUR, CHF…).
func (s *Server) ActivateCurrencies(names ...string) error { return s.db.ActivateCurrencies(names...) }
