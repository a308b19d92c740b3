// The elementwise, compare/select, bitwise, remainder, activation, partial, trig, expand and
// column-reduction ops of ptoref::pl, dtype-erased. Each binding picks the element type from its
// operands and calls the C++ op with the Python call site; where the C++ API rejects a dtype at
// compile time (bitwise ops on floats, sin of INT32), the binding raises ptoref.Error instead.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {
namespace {

using namespace ptoref;
using py_scalar = std::variant<std::int64_t, double>;

// FP8 is storage only: no op of this file is instantiated for it (a ptoref.Error instead).
template <class T>
[[noreturn]] void fp8_storage_only(std::string_view op, const site& s)
{
    throw error(std::string(op),
                "is not defined for " + std::string(dtype_traits<T>::name) +
                    " tensors (FP8 is storage only: cast to a 16- or 32-bit type first)",
                s.loc);
}

template <class F>
any_tensor each(std::string_view op, const any_tensor& a, const site& s, F&& f)
{
    return std::visit(
        [&](const auto& x) -> any_tensor {
            using T = typename std::decay_t<decltype(x)>::value_type;
            if constexpr (fp8_element<T>)
                fp8_storage_only<T>(op, s);
            else
                return any_tensor{f(x)};
        },
        a.v);
}

// Same-dtype pair (the Python layer has promoted mixed operands where the DSL does).
template <class F>
any_tensor each2(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s, F&& f)
{
    if (a.v.index() != b.v.index())
        throw error(std::string(op),
                    "operands have different dtypes " + std::string(dtype_name(dtype_of(a))) + " and " +
                        std::string(dtype_name(dtype_of(b))) + " (the DSL requires equal dtypes; cast one first)",
                    s.loc);
    return std::visit(
        [&](const auto& x) -> any_tensor {
            using TT = std::decay_t<decltype(x)>;
            if constexpr (fp8_element<typename TT::value_type>)
                fp8_storage_only<typename TT::value_type>(op, s);
            else
                return any_tensor{f(x, std::get<TT>(b.v))};
        },
        a.v);
}

template <class T>
[[noreturn]] void wrong_kind(std::string_view op, std::string_view need, const site& s)
{
    throw error(std::string(op),
                "is defined for " + std::string(need) + " tensors, not " + std::string(dtype_traits<T>::name), s.loc);
}

// The Python scalar as the op's scalar operand: a float scalar needs a float tensor.
template <class T, class F>
Tensor<T> with_scalar(std::string_view op, const py_scalar& v, const site& s, F&& f)
{
    if constexpr (float_element<T>) {
        return std::visit([&](auto x) { return f(x); }, v);
    } else {
        if (std::holds_alternative<double>(v))
            throw error(std::string(op),
                        "an integer tensor takes an integer scalar (a float scalar would promote the result to FP32 "
                        "in the DSL; cast the tensor first)",
                        s.loc);
        return f(std::get<std::int64_t>(v));
    }
}

template <class T>
using elem_of = typename std::decay_t<T>::value_type;

} // namespace

void bind_ops_elementwise(py::module_& m)
{
    // ---- compare / select ----
    m.def("cmp", [](const any_tensor& a, const any_tensor& b, int code, const site& s) {
        return each2("pl.cmp", a, b, s, [&](const auto& x, const auto& y) { return pl::cmp(x, y, code, s.loc); });
    });
    m.def("cmps", [](const any_tensor& a, const py_scalar& v, int code, const std::string& name, const site& s) {
        return each("pl.cmps", a, s, [&](const auto& x) {
            using T = elem_of<decltype(x)>;
            return with_scalar<T>(name, v, s, [&](auto sv) {
                return name == "pl.cmp" ? pl::cmp(x, sv, code, s.loc) : pl::cmps(x, sv, code, s.loc);
            });
        });
    });
    m.def("sel", [](const any_tensor& mask, const any_tensor& a, const any_tensor& b, const site& s) {
        return std::visit(
            [&](const auto& mk) {
                return each2("pl.sel", a, b, s, [&](const auto& x, const auto& y) { return pl::sel(mk, x, y, s.loc); });
            },
            mask.v);
    });
    m.def("sels", [](const any_tensor& mask, const any_tensor& a, const py_scalar& v, const site& s) {
        return std::visit(
            [&](const auto& mk) {
                return each("pl.sels", a, s, [&](const auto& x) {
                    using T = elem_of<decltype(x)>;
                    return with_scalar<T>("pl.sels", v, s, [&](auto sv) { return pl::sels(mk, x, sv, s.loc); });
                });
            },
            mask.v);
    });

    // ---- bitwise and shifts (integer tensors) ----
#define PTOREF_BIND_INT_BINARY(NAME, PYNAME, SNAME)                                                                    \
    m.def(PYNAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                        \
        return each2("pl." PYNAME, a, b, s, [&](const auto& x, const auto& y) {                                        \
            using T = elem_of<decltype(x)>;                                                                            \
            if constexpr (float_element<T>)                                                                            \
                return wrong_kind<T>("pl." PYNAME, "integer", s), x;                                                   \
            else                                                                                                       \
                return pl::NAME(x, y, s.loc);                                                                          \
        });                                                                                                            \
    });                                                                                                                \
    m.def(#SNAME, [](const any_tensor& a, std::int64_t v, const site& s) {                                             \
        return each("pl." #SNAME, a, s, [&](const auto& x) {                                                           \
            using T = elem_of<decltype(x)>;                                                                            \
            if constexpr (float_element<T>)                                                                            \
                return wrong_kind<T>("pl." #SNAME, "integer", s), x;                                                   \
            else                                                                                                       \
                return pl::SNAME(x, v, s.loc);                                                                         \
        });                                                                                                            \
    });
    PTOREF_BIND_INT_BINARY(and_, "and_", ands)
    PTOREF_BIND_INT_BINARY(or_, "or_", ors)
    PTOREF_BIND_INT_BINARY(xor_, "xor", xors)
    PTOREF_BIND_INT_BINARY(shl, "shl", shls)
    PTOREF_BIND_INT_BINARY(shr, "shr", shrs)
#undef PTOREF_BIND_INT_BINARY
    m.def("not_", [](const any_tensor& a, const site& s) {
        return each("pl.not_", a, s, [&](const auto& x) {
            using T = elem_of<decltype(x)>;
            if constexpr (float_element<T>)
                return wrong_kind<T>("pl.not_", "integer", s), x;
            else
                return pl::not_(x, s.loc);
        });
    });

    // ---- remainders ----
#define PTOREF_BIND_REMAINDER(NAME, SNAME)                                                                             \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return each2("pl." #NAME, a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });       \
    });                                                                                                                \
    m.def(#SNAME, [](const any_tensor& a, const py_scalar& v, const std::string& name, const site& s) {                \
        return each("pl." #SNAME, a, s, [&](const auto& x) {                                                           \
            using T = elem_of<decltype(x)>;                                                                            \
            return with_scalar<T>(name, v, s, [&](auto sv) {                                                           \
                return name == "pl." #NAME ? pl::NAME(x, sv, s.loc) : pl::SNAME(x, sv, s.loc);                         \
            });                                                                                                        \
        });                                                                                                            \
    });
    PTOREF_BIND_REMAINDER(fmod, fmods)
    PTOREF_BIND_REMAINDER(rem, rems)
#undef PTOREF_BIND_REMAINDER

    // ---- activations, partial ops ----
    m.def("relu", [](const any_tensor& a, const site& s) {
        return each("pl.relu", a, s, [&](const auto& x) { return pl::relu(x, s.loc); });
    });
    m.def("lrelu", [](const any_tensor& a, const py_scalar& v, const site& s) {
        return each("pl.lrelu", a, s, [&](const auto& x) {
            using T = elem_of<decltype(x)>;
            if constexpr (float_element<T>)
                return std::visit([&](auto sv) { return pl::lrelu(x, sv, s.loc); }, v);
            else
                return wrong_kind<T>("pl.lrelu", "floating-point", s), x;
        });
    });
    m.def("prelu", [](const any_tensor& a, const any_tensor& b, const site& s) {
        return each2("pl.prelu", a, b, s, [&](const auto& x, const auto& y) {
            using T = elem_of<decltype(x)>;
            if constexpr (float_element<T>)
                return pl::prelu(x, y, s.loc);
            else
                return wrong_kind<T>("pl.prelu", "floating-point", s), x;
        });
    });
#define PTOREF_BIND_SAME2(NAME)                                                                                        \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return each2("pl." #NAME, a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });       \
    });
    PTOREF_BIND_SAME2(part_add)
    PTOREF_BIND_SAME2(part_mul)
    PTOREF_BIND_SAME2(part_max)
    PTOREF_BIND_SAME2(part_min)
    PTOREF_BIND_SAME2(row_expand)
    PTOREF_BIND_SAME2(col_expand)
    PTOREF_BIND_SAME2(row_expand_max)
    PTOREF_BIND_SAME2(row_expand_min)
    PTOREF_BIND_SAME2(col_expand_max)
    PTOREF_BIND_SAME2(col_expand_min)
#undef PTOREF_BIND_SAME2
#define PTOREF_BIND_FLOAT2(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return each2("pl." #NAME, a, b, s, [&](const auto& x, const auto& y) {                                         \
            using T = elem_of<decltype(x)>;                                                                            \
            if constexpr (float_element<T>)                                                                            \
                return pl::NAME(x, y, s.loc);                                                                          \
            else                                                                                                       \
                return wrong_kind<T>("pl." #NAME, "floating-point", s), x;                                             \
        });                                                                                                            \
    });
    PTOREF_BIND_FLOAT2(row_expand_expdif)
    PTOREF_BIND_FLOAT2(col_expand_expdif)
#undef PTOREF_BIND_FLOAT2
    m.def("expands", [](const any_tensor& a, const py_scalar& v, const site& s) {
        return each("pl.expands", a, s, [&](const auto& x) {
            using T = elem_of<decltype(x)>;
            return with_scalar<T>("pl.expands", v, s, [&](auto sv) { return pl::expands(x, sv, s.loc); });
        });
    });

    // ---- sin, cos ----
#define PTOREF_BIND_FLOAT1(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return each("pl." #NAME, a, s, [&](const auto& x) {                                                            \
            using T = elem_of<decltype(x)>;                                                                            \
            if constexpr (float_element<T>)                                                                            \
                return pl::NAME(x, s.loc);                                                                             \
            else                                                                                                       \
                return wrong_kind<T>("pl." #NAME, "floating-point", s), x;                                             \
        });                                                                                                            \
    });
    PTOREF_BIND_FLOAT1(sin)
    PTOREF_BIND_FLOAT1(cos)
#undef PTOREF_BIND_FLOAT1

    // ---- reductions ----
#define PTOREF_BIND_REDUCE(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return each("pl." #NAME, a, s, [&](const auto& x) { return pl::NAME(x, s.loc); });                             \
    });
    PTOREF_BIND_REDUCE(row_prod)
    PTOREF_BIND_REDUCE(col_sum)
    PTOREF_BIND_REDUCE(col_max)
    PTOREF_BIND_REDUCE(col_min)
    PTOREF_BIND_REDUCE(col_prod)
#undef PTOREF_BIND_REDUCE
}

} // namespace ptoref::python
