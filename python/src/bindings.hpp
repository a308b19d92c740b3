// The extension's parts, one per concept; module.cpp puts them together.
#pragma once

#include <pybind11/pybind11.h>

namespace ptoref::python {
void bind_tensor(pybind11::module_& m);
void bind_ops(pybind11::module_& m);
void bind_ops_elementwise(pybind11::module_& m);
void bind_ops_index(pybind11::module_& m);
void bind_ops_matmul2(pybind11::module_& m);
void bind_loops(pybind11::module_& m);
void bind_checks(pybind11::module_& m);
void bind_io(pybind11::module_& m);
void bind_tasks(pybind11::module_& m);
} // namespace ptoref::python
