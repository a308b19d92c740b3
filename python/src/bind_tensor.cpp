// _core.Tensor (the dtype-erased ptoref::Tensor), _core.DType, _core.Site, and the numpy bridge.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {

void bind_tensor(py::module_& m)
{
    py::enum_<dtype_id>(m, "DType")
        .value("FP32", dtype_id::fp32)
        .value("BF16", dtype_id::bf16)
        .value("FP16", dtype_id::fp16)
        .value("INT32", dtype_id::int32)
        .value("INT8", dtype_id::int8)
        .value("INT64", dtype_id::int64)
        .value("UINT8", dtype_id::uint8)
        .value("UINT32", dtype_id::uint32)
        .value("FP8E4M3FN", dtype_id::fp8e4m3fn)
        .value("FP8E5M2", dtype_id::fp8e5m2);

    py::class_<site>(m, "Site")
        .def(py::init(&make_site), py::arg("file"), py::arg("line"), py::arg("function") = "")
        .def_property_readonly("file", [](const site& s) { return std::string(s.loc.file_name()); })
        .def_property_readonly("line", [](const site& s) { return s.loc.line(); })
        .def("__repr__", [](const site& s) { return to_string(s.loc); });

    py::class_<any_tensor>(m, "Tensor")
        .def_property_readonly("dtype", &dtype_of)
        .def_property_readonly(
            "shape",
            [](const any_tensor& t) {
                return std::visit([](const auto& x) { return std::vector<index>(x.shape().begin(), x.shape().end()); },
                                  t.v);
            })
        .def_property_readonly(
            "valid_shape",
            [](const any_tensor& t) {
                return std::visit(
                    [](const auto& x) { return std::vector<index>(x.valid_shape().begin(), x.valid_shape().end()); },
                    t.v);
            })
        .def_property(
            "name", [](const any_tensor& t) { return std::visit([](const auto& x) { return x.name(); }, t.v); },
            [](any_tensor& t, const std::string& n) { std::visit([&](auto& x) { x.name(n); }, t.v); })
        .def("describe",
             [](const any_tensor& t) { return std::visit([](const auto& x) { return x.describe(); }, t.v); })
        .def_property_readonly(
            "buffer_id",
            [](const any_tensor& t) { return std::visit([](const auto& x) { return x.storage().id(); }, t.v); })
        .def_property_readonly(
            "is_contiguous",
            [](const any_tensor& t) { return std::visit([](const auto& x) { return x.is_contiguous(); }, t.v); })
        // Elements as numpy (zero-copy when contiguous; bf16 as uint16 bits, FP8 as uint8 bits).
        .def("numpy", [](const any_tensor& t) { return std::visit([](const auto& x) { return to_numpy(x); }, t.v); })
        // 1 where the element is defined (written by the program or an input), row-major.
        .def("defined_mask",
             [](const any_tensor& t) {
                 return std::visit(
                     [](const auto& x) {
                         std::vector<std::uint8_t> mk = x.defined_mask();
                         py::array_t<std::uint8_t> out(static_cast<py::ssize_t>(mk.size()));
                         std::copy(mk.begin(), mk.end(), out.mutable_data());
                         return out;
                     },
                     t.v);
             })
        .def("same_buffer", [](const any_tensor& a, const any_tensor& b) {
            return std::visit([](const auto& x) { return x.storage().id(); }, a.v) ==
                   std::visit([](const auto& x) { return x.storage().id(); }, b.v);
        });

    m.def(
        "from_numpy",
        [](const py::array& a, dtype_id d, const std::string& name, const site& s) {
            return with_dtype(
                d, [&](auto tag) { return any_tensor{from_numpy<typename decltype(tag)::type>(a, name, s)}; });
        },
        py::arg("array"), py::arg("dtype"), py::arg("name") = "", py::arg("site"));
}

} // namespace ptoref::python
