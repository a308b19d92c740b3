"""The pypto.language names ptoref does not implement yet, and the keyword uses it rejects.

Using one raises ptoref.Unsupported naming the construct and the file:line of the use (never an
AttributeError); `ptoref run --list-unsupported FILE.py` lists them without running."""
from .. import _site
from .._errors import Unsupported

# Ops and helpers of pypto.language (reference: corpus.md section 1) that ptoref lacks.
OPS = """
paged_gather random alloc dump_tag tri matmul_mx matmul_mx_acc
matmul_mx_bias addc subc addsc subsc gatherb mgather mscatter gather_mask
gather_compare scatter_mask extract fillpad_inplace view while_ cond
aiv_shard tpush_to_aiv tpush_to_aic tpop_from_aic tpop_from_aiv tfree_to_aic
tfree_to_aiv reserve_buffer import_peer_buffer aic_initialize_pipe aiv_initialize_pipe
""".split()

SYSTEM = "sync_set sync_wait cacheinvalid task_invalid".split()
PREFETCH = "session wait".split()

# (function, keyword, predicate on the value, what it means) — keyword uses ptoref rejects.
KEYWORDS = [
    ("slice", "pad_value", lambda v: v is not None, "slice(pad_value=...)"),
    ("load", "clamp", bool, "load(clamp=True)"),
    ("matmul_acc", "init_cond", lambda v: v is not None, "matmul_acc(init_cond=...)"),
    ("matmul", "c_matrix_nz", bool, "matmul(c_matrix_nz=True)"),
]


def stub(qualname, reason="not yet implemented"):
    """A stand-in for an unimplemented name: raises Unsupported at its call site."""

    def unsupported(*args, **kwargs):
        raise Unsupported(qualname, _site.text(), reason)

    unsupported.__name__ = qualname.rsplit(".", 1)[-1]
    unsupported.__qualname__ = qualname
    unsupported._ptoref_unsupported = reason
    return unsupported


_KEYWORD_RULES = {(f, k): (pred, what) for f, k, pred, what in KEYWORDS}


def reject_keyword(fn, key, value):
    # Called on every op call: one dict lookup, not a scan of KEYWORDS.
    rule = _KEYWORD_RULES.get((fn, key))
    if rule is not None and rule[0](value):
        raise Unsupported(f"pl.{rule[1]}", _site.text(3))


class UnknownNamespace:
    """A namespace whose unknown attributes raise Unsupported at the use (pl.tensor, pl.tile, ...)."""

    def __init__(self, qualname, members, unsupported=(), reason="not yet implemented"):
        self._qualname = qualname
        self.__dict__.update(members)
        for n in unsupported:
            self.__dict__.setdefault(n, stub(f"{qualname}.{n}", reason))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise Unsupported(f"{self._qualname}.{name}", _site.text(), "not a name ptoref knows")

    def __repr__(self):
        return f"<ptoref namespace {self._qualname}>"
