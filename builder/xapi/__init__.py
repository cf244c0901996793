"""xAPI 1.0.3 and cmi5: the IRIs coursepack uses (vocabulary), the string formats the spec
defines (formats) and pydantic models of statements for reading them back from an LRS
(statements)."""
