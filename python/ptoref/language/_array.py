"""pl.array: pypto's on-core arrays of scalars (`pl.array.create(extent, dtype)`, C-stack locals on
the device). The real programs use them as TaskId carriers (`arr[0] = pl.system.task_dummy(...)`,
`deps=[arr[0]]`) and as small integer tables.

An array holds `extent` scalars of an integer, BOOL or TASK_ID dtype. Elements not yet written
read as 0, or as a TaskId that stands for no task (ptoref's choice: the device leaves a C-stack
local uninitialised). Indices are checked: out of range is a ptoref.Error naming the call site.
`update_element` is functional (a new array), as in pypto; subscript writes update in place.
"""
from .. import _dtypes, _runtime, _site
from .._errors import Error


class ScalarArray:
    __slots__ = ("dtype", "_values")

    def __init__(self, dtype, values):
        self.dtype, self._values = dtype, values

    def __len__(self):
        return len(self._values)

    def _index(self, i, what):
        k = int(i)
        if not 0 <= k < len(self._values):
            raise Error(f"pl.array.{what}: index {k} is outside the array's extent {len(self._values)} "
                        f"(at {_site.site(3)!r})")
        return k

    def __getitem__(self, i):
        return self._values[self._index(i, "get_element")]

    def __setitem__(self, i, value):
        self._values[self._index(i, "update_element")] = value

    def __repr__(self):
        return f"<pl.array of {len(self._values)} {self.dtype!r}>"


def create(extent, dtype):
    s = _site.site()
    if isinstance(extent, bool) or not isinstance(extent, int) or extent <= 0:
        raise Error(f"pl.array.create: extent must be a positive int, got {extent!r} (at {s!r})")
    if not isinstance(dtype, _dtypes.DataType) or dtype.is_float:
        raise Error(f"pl.array.create: dtype must be an integer, BOOL or TASK_ID dtype, got {dtype!r} (at {s!r})")
    if dtype.name == "TASK_ID":
        values = [_runtime.TaskId("array.create", s, "no task") for _ in range(extent)]
    else:
        values = [0] * extent
    return ScalarArray(dtype, values)


def get_element(array, index):
    return array[index]


def update_element(array, index, value):
    new = ScalarArray(array.dtype, list(array._values))
    new[index] = value
    return new
