"""What the tests and the benchmarks share, so that bench/ imports nothing from tests/:
free ports (`net`), a private PostgreSQL server (`pgserver`), plansign as separate
processes (`cluster`), webhook receivers (`receivers`) and a database outage
(`outages`). Not part of the product: the wheel does not ship it."""
