// .npy files and digests, through the library's own io and testing headers.
#include <ptoref/io/npy.hpp>
#include <ptoref/testing/digest.hpp>

#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {

void bind_io(py::module_& m)
{
    m.def("load_npy", [](const std::string& path, dtype_id d, const site& s) {
        return with_dtype(
            d, [&](auto tag) { return any_tensor{io::load_npy<typename decltype(tag)::type>(path, s.loc)}; });
    });
    m.def("save_npy", [](const std::string& path, const any_tensor& t, const site& s) {
        std::visit([&](const auto& x) { io::save_npy(path, x, s.loc); }, t.v);
    });
    // SHA-256 of the tensor's element bits, row-major (ptoref::testing::digest).
    m.def("digest",
          [](const any_tensor& t) { return std::visit([](const auto& x) { return testing::digest(x); }, t.v); });
}

} // namespace ptoref::python
