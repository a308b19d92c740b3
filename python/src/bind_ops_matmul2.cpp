// The batched, bias and matrix-vector matmul forms and transpose_view of ptoref::pl,
// dtype-erased (the same calls a C++ port makes, with the Python call site). Where the C++ API
// rejects a dtype at compile time, the binding raises ptoref.Error with the reason instead; no
// numeric rule lives here.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {
namespace {

using namespace ptoref;

[[noreturn]] void mixed(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s)
{
    throw error(std::string(op),
                "operands have different dtypes " + std::string(dtype_name(dtype_of(a))) + " and " +
                    std::string(dtype_name(dtype_of(b))) + " (the DSL requires equal dtypes; cast one first)",
                s.loc);
}

template <class T>
struct is_matmul_dtype : std::bool_constant<detail::matmul_element<T>> {
};
template <class T>
struct is_gemv_dtype : std::bool_constant<detail::gemv_element<T>> {
};

constexpr std::string_view matmul_what = "its operands are FP32, BF16, FP16, INT32, INT8 or FP8";
constexpr std::string_view gemv_what = "its operands are INT8 (-> INT32) or FP32, BF16, FP16 (-> FP32)";

// f(x, y) for a same-dtype pair of a dtype Admits accepts.
template <template <class> class Admits, class F>
any_tensor pair(std::string_view op, std::string_view what, const any_tensor& a, const any_tensor& b, const site& s,
                F&& f)
{
    if (a.v.index() != b.v.index())
        mixed(op, a, b, s);
    return visit_admitted<Admits>(a, op, what, s, [&](const auto& x) {
        using TT = std::decay_t<decltype(x)>;
        return any_tensor{f(x, std::get<TT>(b.v))};
    });
}

// The accumulator-dtype tensor (acc or bias) that operands of T need.
template <class T>
const Tensor<detail::accumulator_t<T>>& accumulator(const any_tensor& t, std::string_view op, std::string_view what,
                                                    const site& s)
{
    using Acc = Tensor<detail::accumulator_t<T>>;
    const Acc* p = std::get_if<Acc>(&t.v);
    if (!p)
        throw error(std::string(op),
                    std::string(what) + " is " + std::string(dtype_name(dtype_of(t))) + "; " +
                        std::string(dtype_traits<T>::name) + " operands accumulate in " +
                        std::string(dtype_traits<detail::accumulator_t<T>>::name),
                    s.loc);
    return *p;
}

pl::AccPhase acc_phase(const std::string& p, std::string_view op, const site& s)
{
    if (p == "unspecified")
        return pl::AccPhase::unspecified;
    if (p == "partial")
        return pl::AccPhase::partial;
    if (p == "final")
        return pl::AccPhase::final;
    throw error(std::string(op), "acc_phase \"" + p + "\" is not one of unspecified, partial, final", s.loc);
}

} // namespace

void bind_ops_matmul2(py::module_& m)
{
    // out_dtype None: the tile op's accumulator dtype; otherwise pl.matmul's results.
    m.def("batch_matmul", [](const any_tensor& a, const any_tensor& b, std::optional<dtype_id> out_dtype, bool a_trans,
                             bool b_trans, const site& s) {
        if (out_dtype && *out_dtype != dtype_id::fp32 && *out_dtype != dtype_id::bf16 && *out_dtype != dtype_id::fp16 &&
            *out_dtype != dtype_id::int32)
            throw error("pl.matmul",
                        "out_dtype " + std::string(dtype_name(*out_dtype)) + " is not one of FP32, BF16, FP16, INT32",
                        s.loc);
        return pair<is_matmul_dtype>(
            "pl.batch_matmul", matmul_what, a, b, s, [&](const auto& x, const auto& y) -> any_tensor {
                if (!out_dtype)
                    return any_tensor{pl::batch_matmul(x, y, s.loc)};
                switch (*out_dtype) {
                case dtype_id::bf16:
                    return any_tensor{pl::batch_matmul(x, y, pl::BF16, a_trans, b_trans, s.loc)};
                case dtype_id::fp16:
                    return any_tensor{pl::batch_matmul(x, y, pl::FP16, a_trans, b_trans, s.loc)};
                case dtype_id::int32:
                    return any_tensor{pl::batch_matmul(x, y, pl::INT32, a_trans, b_trans, s.loc)};
                default:
                    return any_tensor{pl::batch_matmul(x, y, pl::FP32, a_trans, b_trans, s.loc)};
                }
            });
    });
    m.def("batch_matmul_acc", [](const any_tensor& acc, const any_tensor& a, const any_tensor& b, bool a_trans,
                                 bool b_trans, const site& s) {
        return pair<is_matmul_dtype>("pl.batch_matmul_acc", matmul_what, a, b, s, [&](const auto& x, const auto& y) {
            using T = typename std::decay_t<decltype(x)>::value_type;
            return pl::batch_matmul_acc(accumulator<T>(acc, "pl.batch_matmul_acc", "the accumulator", s), x, y, a_trans,
                                        b_trans, s.loc);
        });
    });
    m.def("matmul_bias", [](const any_tensor& a, const any_tensor& b, const any_tensor& bias, const site& s) {
        return pair<is_matmul_dtype>("pl.matmul_bias", matmul_what, a, b, s, [&](const auto& x, const auto& y) {
            using T = typename std::decay_t<decltype(x)>::value_type;
            return pl::matmul_bias(x, y, accumulator<T>(bias, "pl.matmul_bias", "the bias", s), s.loc);
        });
    });
    m.def("gemv", [](const any_tensor& a, const any_tensor& b, const std::string& phase, const site& s) {
        const pl::AccPhase p = acc_phase(phase, "pl.gemv", s);
        return pair<is_gemv_dtype>("pl.gemv", gemv_what, a, b, s,
                                   [&](const auto& x, const auto& y) { return pl::gemv(x, y, p, s.loc); });
    });
    m.def("gemv_acc",
          [](const any_tensor& acc, const any_tensor& a, const any_tensor& b, const std::string& phase, const site& s) {
              const pl::AccPhase p = acc_phase(phase, "pl.gemv_acc", s);
              return pair<is_gemv_dtype>("pl.gemv_acc", gemv_what, a, b, s, [&](const auto& x, const auto& y) {
                  using T = typename std::decay_t<decltype(x)>::value_type;
                  return pl::gemv_acc(accumulator<T>(acc, "pl.gemv_acc", "the accumulator", s), x, y, p, s.loc);
              });
          });
    m.def("gemv_bias", [](const any_tensor& a, const any_tensor& b, const any_tensor& bias, const std::string& phase,
                          const site& s) {
        const pl::AccPhase p = acc_phase(phase, "pl.gemv_bias", s);
        return pair<is_gemv_dtype>("pl.gemv_bias", gemv_what, a, b, s, [&](const auto& x, const auto& y) {
            using T = typename std::decay_t<decltype(x)>::value_type;
            return pl::gemv_bias(x, y, accumulator<T>(bias, "pl.gemv_bias", "the bias", s), p, s.loc);
        });
    });
    m.def("transpose_view", [](const any_tensor& t, const site& s) {
        return std::visit([&](const auto& x) { return any_tensor{pl::transpose_view(x, s.loc)}; }, t.v);
    });
}

} // namespace ptoref::python
