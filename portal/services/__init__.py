"""Use cases: load through repositories, call the domain, persist, notify (see portal.container)."""
