"""ptoref's Python exceptions: the C++ library's, plus Unsupported for constructs not yet there."""
from . import _core

Error = _core.Error
RaceError = _core.RaceError
DefinednessError = _core.DefinednessError
StaleError = _core.StaleError
OrderingError = _core.OrderingError  # tasks the runtime would leave unordered (runtime ordering)


class Unsupported(Error):
    """A pypto.language construct ptoref does not implement yet (exit status 2 under `ptoref run`)."""

    def __init__(self, construct, site=None, reason=""):
        self.construct = construct
        self.site = site
        self.reason = reason
        where = f", used at {site}" if site else ""
        why = f" ({reason})" if reason else ""
        super().__init__(f"ptoref does not support `{construct}` yet{why}{where}")


class AnnotationMismatch(Error):
    """An argument does not match its pl.Tensor[[...], dtype] / pl.Scalar[...] annotation."""
