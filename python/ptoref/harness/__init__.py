"""Harness shims: pypto-lib's `golden` and pypto's `pypto.runtime`, running programs on ptoref."""
