"""The vulnerability database: OSV records imported into one SQLite file, indexed by
(ecosystem, package)."""
