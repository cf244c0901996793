"""Browser tests (a package, so that its conftest.py and harness.py don't shadow tests/conftest.py)."""
