"""The event rule engine: Falco's rule language (lists, macros, rules, conditions, outputs)
evaluated over events whose fields come from typed extractors registered per event source."""
