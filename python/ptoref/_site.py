"""Python call sites for reports: the file:line of the DSL code that called a pl function."""
import sys

from . import _core

_cache = {}


def site(depth=2):
    """The caller's caller's site (depth 2 = the code that called the pl function)."""
    f = sys._getframe(depth)
    code = f.f_code
    key = (code.co_filename, f.f_lineno)
    s = _cache.get(key)
    if s is None:
        s = _core.Site(code.co_filename, f.f_lineno, code.co_name)
        _cache[key] = s
    return s


def text(depth=2):
    """The same site as "file.py:line" (base name, as in every report)."""
    s = site(depth + 1)
    return repr(s)
