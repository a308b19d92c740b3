// Every op of ptoref::pl, dtype-erased: each binding picks the element type from its operands
// and calls the C++ op with the Python call site. Where the C++ API rejects a dtype at compile
// time (exp of INT32, arithmetic on FP8), the binding raises ptoref.Error with the same reason
// instead. Each op is instantiated only for the dtypes it is defined on (visit_admitted), and
// mixed-dtype operands are promoted at run time through the one shared cast (cast_any), which
// keeps the extension's compile time in check.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {
namespace {

using namespace ptoref;

dims to_dims(const std::vector<index>& v)
{
    dims d;
    for (index e : v)
        d.push_back(e);
    return d;
}

template <class F>
any_tensor visit1(const any_tensor& a, F&& f)
{
    return std::visit([&](const auto& x) { return any_tensor{f(x)}; }, a.v);
}

[[noreturn]] void dtype_mismatch(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s)
{
    throw error(std::string(op),
                "operands have different dtypes " + std::string(dtype_name(dtype_of(a))) + " and " +
                    std::string(dtype_name(dtype_of(b))) + " (the DSL requires equal dtypes; cast one first)",
                s.loc);
}

// Same-dtype pair: f(Tensor<T>, Tensor<T>).
template <class F>
any_tensor visit2(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s, F&& f)
{
    if (a.v.index() != b.v.index())
        dtype_mismatch(op, a, b, s);
    return std::visit(
        [&](const auto& x) {
            using TT = std::decay_t<decltype(x)>;
            return any_tensor{f(x, std::get<TT>(b.v))};
        },
        a.v);
}

// pl.cast to a dtype chosen at run time: one instantiation of each of the 100 pairs, shared by
// the cast binding and every promotion.
any_tensor cast_any(const any_tensor& a, dtype_id to, cast_mode mode, const site& s)
{
    return std::visit(
        [&](const auto& x) {
            return with_dtype(to, [&](auto tag) { return any_tensor{pl::cast(x, tag, mode, s.loc)}; });
        },
        a.v);
}

// The DSL's promoted dtype of a pair (pl::promoted_t), chosen at run time.
dtype_id promoted_id(dtype_id a, dtype_id b)
{
    return with_dtype(a, [&](auto ta) {
        return with_dtype(b, [&](auto tb) {
            return id_of<pl::promoted_t<typename decltype(ta)::type, typename decltype(tb)::type>>();
        });
    });
}

// Mixed dtypes: both operands converted to the DSL's promoted type (pl::promote_operand's rule:
// cast with rint), then f on the dtypes `Admits` accepts.
template <template <class> class Admits, class F>
any_tensor visit2_promoted(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s, F&& f)
{
    const dtype_id p = promoted_id(dtype_of(a), dtype_of(b));
    const any_tensor pa = dtype_of(a) == p ? a : cast_any(a, p, cast_mode::rint, s);
    const any_tensor pb = dtype_of(b) == p ? b : cast_any(b, p, cast_mode::rint, s);
    return visit_admitted<Admits>(pa, op, "FP8 types are storage only; cast to FP32 first", s, [&](const auto& x) {
        using TT = std::decay_t<decltype(x)>;
        return f(x, std::get<TT>(pb.v));
    });
}

constexpr std::string_view fp8_reason = "FP8 types are storage only; cast to FP32 first";

template <class T>
struct is_matmul_dtype : std::bool_constant<ptoref::detail::matmul_element<T>> {
};

template <class T>
[[noreturn]] void float_only(std::string_view op, const site& s)
{
    throw error(std::string(op),
                "is defined for floating-point tensors, not " + std::string(dtype_traits<T>::name) +
                    "; cast to FP32 first",
                s.loc);
}

// Python scalar operand: int or float, as the DSL literal it is.
using py_scalar = std::variant<std::int64_t, double>;

template <class T, class Op>
Tensor<T> tensor_scalar(std::string_view op, const Tensor<T>& x, const py_scalar& s, const site& where, Op&& fn)
{
    if constexpr (fp8_element<T>) {
        throw error(std::string(op),
                    "tensor-scalar ops are not defined on " + std::string(dtype_traits<T>::name) +
                        " tensors (FP8 is storage only; cast to a 16- or 32-bit type first)",
                    where.loc);
    } else if constexpr (float_element<T>) { // the scalar's rounding is the C++ op's (FP32, then T)
        return std::visit([&](auto v) { return fn(x, v); }, s);
    } else {
        if (std::holds_alternative<double>(s))
            throw error(std::string(op),
                        "an " + std::string(dtype_traits<T>::name) +
                            " tensor takes an integer scalar (a float scalar would promote the result to FP32 in the "
                            "DSL; cast the tensor first)",
                        where.loc);
        return fn(x, std::get<std::int64_t>(s));
    }
}

} // namespace

void bind_ops(py::module_& m)
{
#define PTOREF_BIND_BINARY(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return visit2_promoted<is_arithmetic_dtype>(                                                                   \
            "pl." #NAME, a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });                \
    });                                                                                                                \
    m.def(#NAME "_scalar", [](const any_tensor& a, const py_scalar& v, const site& s) {                                \
        return visit1(a, [&](const auto& x) {                                                                          \
            return tensor_scalar("pl." #NAME, x, v, s,                                                                 \
                                 [&](const auto& t, auto sv) { return pl::NAME(t, sv, s.loc); });                      \
        });                                                                                                            \
    });
    PTOREF_BIND_BINARY(add)
    PTOREF_BIND_BINARY(sub)
    PTOREF_BIND_BINARY(mul)
    PTOREF_BIND_BINARY(div)
    PTOREF_BIND_BINARY(maximum)
    PTOREF_BIND_BINARY(minimum)
#undef PTOREF_BIND_BINARY

    m.def("neg", [](const any_tensor& a, const site& s) {
        return visit_admitted<is_arithmetic_dtype>(a, "pl.neg", fp8_reason, s,
                                                   [&](const auto& x) { return pl::neg(x, s.loc); });
    });
    m.def("abs", [](const any_tensor& a, const site& s) {
        return visit_admitted<is_arithmetic_dtype>(a, "pl.abs", fp8_reason, s,
                                                   [&](const auto& x) { return pl::abs(x, s.loc); });
    });
#define PTOREF_BIND_FLOAT_UNARY(NAME)                                                                                  \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return visit1(a, [&](const auto& x) {                                                                          \
            using T = typename std::decay_t<decltype(x)>::value_type;                                                  \
            if constexpr (float_element<T> && !fp8_element<T>)                                                         \
                return pl::NAME(x, s.loc);                                                                             \
            else                                                                                                       \
                return float_only<T>("pl." #NAME, s), x;                                                               \
        });                                                                                                            \
    });
    PTOREF_BIND_FLOAT_UNARY(exp)
    PTOREF_BIND_FLOAT_UNARY(log)
    PTOREF_BIND_FLOAT_UNARY(sqrt)
    PTOREF_BIND_FLOAT_UNARY(recip)
#undef PTOREF_BIND_FLOAT_UNARY

    m.def("rsqrt", [](const any_tensor& a, bool high_precision, const site& s) {
        return visit1(a, [&](const auto& x) {
            using T = typename std::decay_t<decltype(x)>::value_type;
            if constexpr (float_element<T> && !fp8_element<T>)
                return pl::rsqrt(x, high_precision, s.loc);
            else
                return float_only<T>("pl.rsqrt", s), x;
        });
    });

#define PTOREF_BIND_EXPAND(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return visit2_promoted<is_arithmetic_dtype>(                                                                   \
            "pl." #NAME, a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });                \
    });
    PTOREF_BIND_EXPAND(row_expand_add)
    PTOREF_BIND_EXPAND(row_expand_sub)
    PTOREF_BIND_EXPAND(row_expand_mul)
    PTOREF_BIND_EXPAND(row_expand_div)
    PTOREF_BIND_EXPAND(col_expand_add)
    PTOREF_BIND_EXPAND(col_expand_sub)
    PTOREF_BIND_EXPAND(col_expand_mul)
    PTOREF_BIND_EXPAND(col_expand_div)
#undef PTOREF_BIND_EXPAND

#define PTOREF_BIND_REDUCE(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return visit_admitted<is_arithmetic_dtype>(a, "pl." #NAME, fp8_reason, s,                                      \
                                                   [&](const auto& x) { return pl::NAME(x, s.loc); });                 \
    });
    PTOREF_BIND_REDUCE(row_max)
    PTOREF_BIND_REDUCE(row_min)
    PTOREF_BIND_REDUCE(row_sum)
#undef PTOREF_BIND_REDUCE

    m.def("cast", [](const any_tensor& a, dtype_id to, const std::string& mode, const site& s) {
        return cast_any(a, to, parse_cast_mode(mode, s.loc), s);
    });

    // Matmul: operands of a dtype the cube takes (pl::matmul_element); the result dtype one of
    // FP32, BF16, FP16, INT32 (what the accumulator narrows to in the programs; C++ allows more).
    m.def("matmul", [](const any_tensor& a, const any_tensor& b, std::optional<dtype_id> out_dtype, bool a_trans,
                       bool b_trans, const site& s) {
        if (a.v.index() != b.v.index())
            dtype_mismatch("pl.matmul", a, b, s);
        const dtype_id out = out_dtype.value_or(dtype_of(a));
        if (out != dtype_id::fp32 && out != dtype_id::bf16 && out != dtype_id::fp16 && out != dtype_id::int32)
            throw error("pl.matmul",
                        "out_dtype " + std::string(dtype_name(out)) +
                            (out_dtype ? " is not one of FP32, BF16, FP16, INT32"
                                       : " (the operands' dtype) is not a matmul result: pass out_dtype=pl.INT32 "
                                         "for INT8 operands, pl.FP32 for FP8"),
                        s.loc);
        return visit_admitted<is_matmul_dtype>(
            a, "pl.matmul", "its operands are FP32, BF16, FP16, INT32, INT8 or FP8", s, [&](const auto& x) {
                using TT = std::decay_t<decltype(x)>;
                const TT& y = std::get<TT>(b.v);
                switch (out) {
                case dtype_id::bf16:
                    return any_tensor{pl::matmul(x, y, pl::BF16, a_trans, b_trans, s.loc)};
                case dtype_id::fp16:
                    return any_tensor{pl::matmul(x, y, pl::FP16, a_trans, b_trans, s.loc)};
                case dtype_id::int32:
                    return any_tensor{pl::matmul(x, y, pl::INT32, a_trans, b_trans, s.loc)};
                default:
                    return any_tensor{pl::matmul(x, y, pl::FP32, a_trans, b_trans, s.loc)};
                }
            });
    });
    m.def("matmul_acc", [](const any_tensor& acc, const any_tensor& a, const any_tensor& b, bool a_trans, bool b_trans,
                           const site& s) {
        if (a.v.index() != b.v.index())
            dtype_mismatch("pl.matmul_acc", a, b, s);
        return visit_admitted<is_matmul_dtype>(
            a, "pl.matmul_acc", "its operands are FP32, BF16, FP16, INT32, INT8 or FP8", s, [&](const auto& x) {
                using TT = std::decay_t<decltype(x)>;
                using T = typename TT::value_type;
                using Acc = Tensor<ptoref::detail::accumulator_t<T>>;
                const Acc* pa = std::get_if<Acc>(&acc.v);
                if (!pa)
                    throw error("pl.matmul_acc",
                                "the accumulator is " + std::string(dtype_name(dtype_of(acc))) + "; " +
                                    std::string(dtype_traits<T>::name) + " operands accumulate in " +
                                    std::string(dtype_traits<ptoref::detail::accumulator_t<T>>::name),
                                s.loc);
                return pl::matmul_acc(*pa, x, std::get<TT>(b.v), a_trans, b_trans, s.loc);
            });
    });

    m.def(
        "slice",
        [](const any_tensor& t, const std::vector<index>& shape, const std::vector<index>& offset,
           const std::optional<std::vector<index>>& valid, const site& s, bool clamp) {
            return visit1(t, [&](const auto& x) {
                return pl::slice(x, to_dims(shape), to_dims(offset), valid ? to_dims(*valid) : dims{}, clamp, s.loc);
            });
        },
        py::arg("t"), py::arg("shape"), py::arg("offset"), py::arg("valid"), py::arg("site"), py::arg("clamp") = false);
    m.def("reshape", [](const any_tensor& t, const std::vector<index>& shape, const site& s) {
        return visit1(t, [&](const auto& x) { return pl::reshape(x, to_dims(shape), s.loc); });
    });
    m.def("transpose", [](const any_tensor& t, index a1, index a2, const site& s) {
        return visit1(t, [&](const auto& x) { return pl::transpose(x, a1, a2, s.loc); });
    });
    m.def("concat", [](const any_tensor& a, const any_tensor& b, const site& s) {
        return visit2("pl.concat", a, b, s, [&](const auto& x, const auto& y) { return pl::concat(x, y, s.loc); });
    });
    m.def("assemble",
          [](const any_tensor& target, const any_tensor& source, const std::vector<index>& offset, const site& s) {
              return visit2("pl.assemble", target, source, s,
                            [&](const auto& x, const auto& y) { return pl::assemble(x, y, to_dims(offset), s.loc); });
          });
    m.def("store",
          [](const any_tensor& tile, const std::vector<index>& offset, const any_tensor& output, const site& s) {
              return std::visit(
                  [&](const auto& x, const auto& out) -> any_tensor {
                      using From = typename std::decay_t<decltype(x)>::value_type;
                      using To = typename std::decay_t<decltype(out)>::value_type;
                      if constexpr (pl::storable<To, From>)
                          return any_tensor{pl::store(x, to_dims(offset), out, s.loc)};
                      else
                          throw error("pl.store",
                                      "cannot store a " + std::string(dtype_traits<From>::name) + " tile into " +
                                          out.describe() + " (a store narrows only FP32 to BF16/FP16; cast first)",
                                      s.loc);
                  },
                  tile.v, output.v);
          });
    m.def("read", [](const any_tensor& t, const std::vector<index>& idx, const site& s) -> py::object {
        return std::visit(
            [&](const auto& x) -> py::object {
                using T = typename std::decay_t<decltype(x)>::value_type;
                const T v = pl::read(x, to_dims(idx), s.loc);
                if constexpr (integer_element<T>) // INT64/UINT32 exactly
                    return py::int_(v);
                else
                    return py::float_(static_cast<double>(ptoref::detail::scalar::widen(v)));
            },
            t.v);
    });
    m.def("write", [](const any_tensor& t, const std::vector<index>& idx, const py_scalar& value, const site& s) {
        return visit1(t, [&](const auto& x) {
            using T = typename std::decay_t<decltype(x)>::value_type;
            const T v = std::visit(
                [&](auto sv) -> T {
                    if constexpr (integer_element<T> && std::is_floating_point_v<decltype(sv)>)
                        throw error("pl.write",
                                    "an " + std::string(dtype_traits<T>::name) + " tensor takes an integer value",
                                    s.loc);
                    else
                        return pl::checked_literal<T>(sv, "pl.write", s.loc);
                },
                value);
            return pl::write(x, to_dims(idx), v, s.loc);
        });
    });
    m.def("create_tensor", [](const std::vector<index>& shape, dtype_id d, const site& s) {
        return with_dtype(d, [&](auto tag) { return any_tensor{pl::create_tensor(to_dims(shape), tag, s.loc)}; });
    });
    m.def("full", [](const std::vector<index>& shape, dtype_id d, const py_scalar& value, const site& s) {
        return with_dtype(d, [&](auto tag) {
            using T = typename std::decay_t<decltype(tag)>::type;
            return std::visit(
                [&](auto v) -> any_tensor {
                    if constexpr (integer_element<T> && std::is_floating_point_v<decltype(v)>)
                        throw error("pl.full",
                                    "an " + std::string(dtype_traits<T>::name) + " tensor takes an integer value",
                                    s.loc);
                    else
                        return any_tensor{pl::full(to_dims(shape), tag, v, s.loc)};
                },
                value);
        });
    });
    m.def("fillpad", [](const any_tensor& t, const std::string& pad, const site& s) {
        pl::PadValue p;
        if (pad == "zero")
            p = pl::PadValue::zero;
        else if (pad == "min")
            p = pl::PadValue::min;
        else if (pad == "max")
            p = pl::PadValue::max;
        else
            throw error("pl.fillpad", "unknown pad value \"" + pad + "\" (expected zero, min or max)", s.loc);
        return visit1(t, [&](const auto& x) { return pl::fillpad(x, p, s.loc); });
    });
    // The DSL's scalar min/max (not tensor reductions).
    m.def("scalar_min", [](std::int64_t a, std::int64_t b) { return pl::min(a, b); });
    m.def("scalar_min", [](double a, double b) { return pl::min(a, b); });
    m.def("scalar_max", [](std::int64_t a, std::int64_t b) { return pl::max(a, b); });
    m.def("scalar_max", [](double a, double b) { return pl::max(a, b); });
}

} // namespace ptoref::python
