// ptoref._core: the pybind11 extension over the ptoref headers. It has no semantics of its
// own; the Python front end (ptoref.language) calls it for every op, loop and check.
#include <string>

#include <ptoref/version.hpp>

#include "any_tensor.hpp"
#include "bindings.hpp"

PYBIND11_MODULE(_core, m)
{
    namespace py = pybind11;
    m.doc() = "ptoref's C++ library: exact PyPTO ops, loops and checks";
    // Base class first: pybind11 tries translators newest first, so subclasses come after.
    static py::exception<ptoref::error> error_type(m, "Error");
    static py::exception<ptoref::check::race_error> race_type(m, "RaceError", error_type.ptr());
    static py::exception<ptoref::check::definedness_error> undef_type(m, "DefinednessError", error_type.ptr());
    static py::exception<ptoref::check::stale_error> stale_type(m, "StaleError", error_type.ptr());
    static py::exception<ptoref::check::ordering_error> ordering_type(m, "OrderingError", error_type.ptr());
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p)
                std::rethrow_exception(p);
        } catch (const ptoref::check::race_error& e) {
            PyErr_SetString(race_type.ptr(), e.what());
        } catch (const ptoref::check::definedness_error& e) {
            PyErr_SetString(undef_type.ptr(), e.what());
        } catch (const ptoref::check::stale_error& e) {
            PyErr_SetString(stale_type.ptr(), e.what());
        } catch (const ptoref::check::ordering_error& e) {
            PyErr_SetString(ordering_type.ptr(), e.what());
        } catch (const ptoref::error& e) {
            PyErr_SetString(error_type.ptr(), e.what());
        } catch (const std::bad_alloc&) {
            // Defence in depth: the library turns allocation failures into ptoref::error itself.
            PyErr_SetString(error_type.ptr(), "ptoref: out of memory");
        } catch (const std::exception& e) {
            // Never a bare ValueError/MemoryError from C++: anything else is a ptoref bug to report.
            PyErr_SetString(error_type.ptr(),
                            (std::string("ptoref internal error (please report): ") + e.what()).c_str());
        }
    });
    m.attr("version") = std::to_string(PTOREF_VERSION_MAJOR) + "." + std::to_string(PTOREF_VERSION_MINOR) + "." +
                        std::to_string(PTOREF_VERSION_PATCH);
    ptoref::python::bind_tensor(m);
    ptoref::python::bind_ops(m);
    ptoref::python::bind_ops_elementwise(m);
    ptoref::python::bind_ops_index(m);
    ptoref::python::bind_ops_matmul2(m);
    ptoref::python::bind_loops(m);
    ptoref::python::bind_checks(m);
    ptoref::python::bind_io(m);
    ptoref::python::bind_tasks(m);
}
