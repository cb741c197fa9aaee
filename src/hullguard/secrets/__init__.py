"""Secret detection: rules as data (data/secret-rules.yaml), the detector, and the "secret" scanner."""
