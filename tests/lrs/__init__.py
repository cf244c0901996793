"""A real xAPI LRS (ralph-malph + tools/lrs/ralph_shim.py) on 127.0.0.1 and the LMS side of cmi5, for tests."""
