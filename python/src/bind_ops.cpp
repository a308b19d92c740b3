// Every op of ptoref::pl, dtype-erased: each binding picks the element type from its operands
// and calls the C++ op with the Python call site. Where the C++ API rejects a dtype at compile
// time (exp of INT32), the binding raises ptoref.Error
// with the same reason instead.
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

// Mixed dtypes: both operands converted to the DSL's promoted type (pl::promoted_t), then f.
template <class F>
any_tensor visit2_promoted(const any_tensor& a, const any_tensor& b, const site& s, F&& f)
{
    return std::visit(
        [&](const auto& x, const auto& y) {
            using A = typename std::decay_t<decltype(x)>::value_type;
            using B = typename std::decay_t<decltype(y)>::value_type;
            using P = pl::promoted_t<A, B>;
            return any_tensor{f(pl::promote_operand<P>(x, s.loc), pl::promote_operand<P>(y, s.loc))};
        },
        a.v, b.v);
}

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
    if constexpr (float_element<T>) { // the scalar's rounding is the C++ op's (FP32, then T)
        return std::visit([&](auto v) { return fn(x, v); }, s);
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        if (std::holds_alternative<double>(s))
            throw error(std::string(op),
                        "an INT32 tensor takes an integer scalar (a float scalar would promote the result to FP32 "
                        "in the DSL; cast the tensor first)",
                        where.loc);
        return fn(x, std::get<std::int64_t>(s));
    } else {
        throw error(std::string(op),
                    "tensor-scalar ops are defined for FP32 and INT32 tensors, not " +
                        std::string(dtype_traits<T>::name) + " (cast to FP32 first)",
                    where.loc);
    }
}

} // namespace

void bind_ops(py::module_& m)
{
#define PTOREF_BIND_BINARY(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return visit2_promoted(a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });          \
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
        return visit1(a, [&](const auto& x) { return pl::neg(x, s.loc); });
    });
    m.def("abs", [](const any_tensor& a, const site& s) {
        return visit1(a, [&](const auto& x) { return pl::abs(x, s.loc); });
    });
#define PTOREF_BIND_FLOAT_UNARY(NAME)                                                                                  \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return visit1(a, [&](const auto& x) {                                                                          \
            using T = typename std::decay_t<decltype(x)>::value_type;                                                  \
            if constexpr (float_element<T>)                                                                            \
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
            if constexpr (float_element<T>)
                return pl::rsqrt(x, high_precision, s.loc);
            else
                return float_only<T>("pl.rsqrt", s), x;
        });
    });

#define PTOREF_BIND_EXPAND(NAME)                                                                                       \
    m.def(#NAME, [](const any_tensor& a, const any_tensor& b, const site& s) {                                         \
        return visit2_promoted(a, b, s, [&](const auto& x, const auto& y) { return pl::NAME(x, y, s.loc); });          \
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
        return visit1(a, [&](const auto& x) { return pl::NAME(x, s.loc); });                                           \
    });
    PTOREF_BIND_REDUCE(row_max)
    PTOREF_BIND_REDUCE(row_min)
    PTOREF_BIND_REDUCE(row_sum)
#undef PTOREF_BIND_REDUCE

    m.def("cast", [](const any_tensor& a, dtype_id to, const std::string& mode, const site& s) {
        const cast_mode cm = parse_cast_mode(mode, s.loc);
        return std::visit(
            [&](const auto& x) {
                return with_dtype(to, [&](auto tag) { return any_tensor{pl::cast(x, tag, cm, s.loc)}; });
            },
            a.v);
    });

    m.def("matmul", [](const any_tensor& a, const any_tensor& b, std::optional<dtype_id> out_dtype, bool a_trans,
                       bool b_trans, const site& s) {
        if (a.v.index() != b.v.index())
            dtype_mismatch("pl.matmul", a, b, s);
        const dtype_id out = out_dtype.value_or(dtype_of(a));
        return std::visit(
            [&](const auto& x) {
                using TT = std::decay_t<decltype(x)>;
                const TT& y = std::get<TT>(b.v);
                return with_dtype(out,
                                  [&](auto tag) { return any_tensor{pl::matmul(x, y, tag, a_trans, b_trans, s.loc)}; });
            },
            a.v);
    });
    m.def("matmul_acc", [](const any_tensor& acc, const any_tensor& a, const any_tensor& b, bool a_trans, bool b_trans,
                           const site& s) {
        if (a.v.index() != b.v.index())
            dtype_mismatch("pl.matmul_acc", a, b, s);
        return std::visit(
            [&](const auto& x) {
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
                return any_tensor{pl::matmul_acc(*pa, x, std::get<TT>(b.v), a_trans, b_trans, s.loc)};
            },
            a.v);
    });

    m.def("slice", [](const any_tensor& t, const std::vector<index>& shape, const std::vector<index>& offset,
                      const std::optional<std::vector<index>>& valid, const site& s) {
        return visit1(t, [&](const auto& x) {
            return pl::slice(x, to_dims(shape), to_dims(offset), valid ? to_dims(*valid) : dims{}, s.loc);
        });
    });
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
                if constexpr (std::is_same_v<T, std::int32_t>)
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
                    if constexpr (std::is_same_v<T, std::int32_t> && std::is_floating_point_v<decltype(sv)>)
                        throw error("pl.write", "an INT32 tensor takes an integer value", s.loc);
                    else
                        return pl::literal_value<T>(sv);
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
            using T = typename decltype(tag)::type;
            return std::visit(
                [&](auto v) -> any_tensor {
                    if constexpr (std::is_same_v<T, std::int32_t> && std::is_floating_point_v<decltype(v)>)
                        throw error("pl.full", "an INT32 tensor takes an integer value", s.loc);
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
