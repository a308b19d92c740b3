// The extension's dtype-erased tensor: one ptoref::Tensor<T> of any element type the library
// has, plus the conversions to and from numpy. No semantics live here: every op the binding
// exposes calls the same ptoref::pl function a C++ port calls.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <variant>

#include <ptoref/ptoref.hpp>

namespace ptoref::python {

namespace py = pybind11;

// Values are the positions in ptoref::element_types (core/dtype.hpp), the one list of dtypes.
enum class dtype_id : int {
    fp32 = 0,
    bf16 = 1,
    fp16 = 2,
    int32 = 3,
    int8 = 4,
    int64 = 5,
    uint8 = 6,
    uint32 = 7,
    fp8e4m3fn = 8,
    fp8e5m2 = 9,
};

template <class List>
struct tensor_variant;
template <class... T>
struct tensor_variant<type_list<T...>> {
    using type = std::variant<Tensor<T>...>;
};
using any_tensor_variant = typename tensor_variant<element_types>::type;

struct any_tensor {
    any_tensor_variant v;
};

namespace detail_ids {
template <class T, class... U>
constexpr int position(type_list<U...>)
{
    int i = 0, found = -1;
    ((std::is_same_v<T, U> ? (found = i, ++i) : ++i), ...);
    return found;
}
} // namespace detail_ids

template <class T>
constexpr dtype_id id_of()
{
    return static_cast<dtype_id>(detail_ids::position<T>(element_types{}));
}
static_assert(id_of<std::int64_t>() == dtype_id::int64 && id_of<fp8e5m2>() == dtype_id::fp8e5m2);

// Calls f(dtype_tag<T>{}) for the element type d names.
template <class F>
decltype(auto) with_dtype(dtype_id d, F&& f)
{
    switch (d) {
    case dtype_id::fp32:
        return f(dtype_tag<float>{});
    case dtype_id::bf16:
        return f(dtype_tag<bf16>{});
    case dtype_id::fp16:
        return f(dtype_tag<fp16>{});
    case dtype_id::int8:
        return f(dtype_tag<std::int8_t>{});
    case dtype_id::int64:
        return f(dtype_tag<std::int64_t>{});
    case dtype_id::uint8:
        return f(dtype_tag<std::uint8_t>{});
    case dtype_id::uint32:
        return f(dtype_tag<std::uint32_t>{});
    case dtype_id::fp8e4m3fn:
        return f(dtype_tag<fp8e4m3fn>{});
    case dtype_id::fp8e5m2:
        return f(dtype_tag<fp8e5m2>{});
    case dtype_id::int32:
        break;
    }
    return f(dtype_tag<std::int32_t>{});
}

// The library's own name of the element type (dtype_traits<T>::name).
inline std::string_view dtype_name(dtype_id d)
{
    return with_dtype(d, [](auto tag) { return dtype_traits<typename decltype(tag)::type>::name; });
}

inline dtype_id dtype_of(const any_tensor& t)
{
    return std::visit([](const auto& x) { return id_of<typename std::decay_t<decltype(x)>::value_type>(); }, t.v);
}

// A Python file:line for reports. source_location keeps a const char* file name, so the
// names are interned for the life of the process (a program has few distinct files).
struct site {
    source_location loc;
};

inline site make_site(const std::string& file, std::uint32_t line, const std::string& function)
{
    static std::unordered_set<std::string> names;
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    const char* f = names.insert(file).first->c_str();
    const char* fn = names.insert(function).first->c_str();
    return site{source_location::current(f, line, fn)};
}

// numpy element type of each ptoref element type: bf16 travels as its uint16 bits, the FP8
// types as their uint8 bits; the integers are numpy's own (zero-copy either way).
template <class T>
using numpy_element_t = std::conditional_t<std::is_class_v<T>, typename dtype_traits<T>::bits_type, T>;

// A view of the tensor's elements as a numpy array: zero-copy over the buffer when the view is
// contiguous (the array keeps the buffer alive), a copy otherwise. Host inspection: not an
// access of the program, never checked. FP16 arrays are numpy float16 (same bits).
template <element_type T>
py::array to_numpy(const Tensor<T>& t)
{
    using N = numpy_element_t<T>;
    std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
    py::dtype dt = std::is_same_v<T, fp16> ? py::dtype("float16") : py::dtype::of<N>();
    if (t.is_contiguous()) {
        auto* holder = new std::shared_ptr<detail::buffer<T>>(t.storage_ptr());
        py::capsule owner(holder, [](void* p) { delete static_cast<std::shared_ptr<detail::buffer<T>>*>(p); });
        std::vector<py::ssize_t> strides;
        for (int d = 0; d < t.rank(); ++d)
            strides.push_back(static_cast<py::ssize_t>(t.strides()[d] * static_cast<index>(sizeof(T))));
        return py::array(dt, shape, strides, static_cast<const void*>(t.storage().data() + t.offset()), owner);
    }
    py::array out(dt, shape);
    auto* o = static_cast<T*>(out.mutable_data());
    index i = 0;
    t.for_each_flat([&](index f) { o[i++] = t.storage().data()[f]; });
    return out;
}

// A new fully defined tensor holding a copy of a numpy array's elements (one memcpy for a
// C-contiguous array). bf16 takes uint16 bits (or int16, torch's view); fp16 takes float16;
// FP8 takes uint8 (or int8) bits; each integer dtype takes numpy's integer of its width and
// signedness.
template <element_type T>
Tensor<T> from_numpy(const py::array& a, const std::string& name, const site& where)
{
    using N = numpy_element_t<T>;
    const char kind = a.dtype().kind();
    const auto item = static_cast<std::size_t>(a.itemsize());
    bool ok = item == sizeof(N);
    if constexpr (std::is_same_v<T, float>)
        ok = ok && kind == 'f';
    else if constexpr (std::is_same_v<T, fp16>)
        ok = ok && (kind == 'f' || kind == 'u' || kind == 'i');
    else if constexpr (std::is_class_v<T>) // bf16, FP8: raw bits
        ok = ok && (kind == 'u' || kind == 'i');
    else if constexpr (std::is_signed_v<T>)
        ok = ok && kind == 'i';
    else
        ok = ok && kind == 'u';
    if (!ok)
        throw error("ptoref.from_numpy",
                    "a numpy array of dtype " + std::string(py::str(a.dtype())) + " cannot hold " +
                        std::string(dtype_traits<T>::name) +
                        (std::is_same_v<T, bf16> ? " (pass the uint16 bits, or a torch.bfloat16 tensor)"
                         : fp8_element<T>        ? " (pass the uint8 bits)"
                                                 : ""),
                    where.loc);
    dims shape;
    for (py::ssize_t d = 0; d < a.ndim(); ++d)
        shape.push_back(static_cast<index>(a.shape(d)));
    if (shape.empty())
        shape.push_back(1);
    py::array c = py::array::ensure(a, py::array::c_style);
    const auto* p = static_cast<const T*>(c.data());
    Tensor<T> t = tensor_from<T>(shape, std::span<const T>(p, static_cast<std::size_t>(shape.product())), where.loc);
    if (!name.empty())
        t.name(name);
    return t;
}

// Ops defined on part of the dtypes: f(x) runs only for the T that `admits`; any other dtype
// is a ptoref.Error naming the op and the dtype (so the op is not instantiated for it).
template <template <class> class Admits, class F>
auto visit_admitted(const any_tensor& a, std::string_view op, std::string_view what, const site& s, F&& f)
{
    return std::visit(
        [&](const auto& x) -> any_tensor {
            using T = typename std::decay_t<decltype(x)>::value_type;
            if constexpr (Admits<T>::value)
                return any_tensor{f(x)};
            else
                throw error(std::string(op),
                            "not defined for " + std::string(dtype_traits<T>::name) + " tensors (" + std::string(what) +
                                ")",
                            s.loc);
        },
        a.v);
}

template <class T>
struct is_arithmetic_dtype : std::bool_constant<arithmetic_element<T>> {
};
template <class T>
struct is_float_arithmetic_dtype : std::bool_constant<float_element<T> && !fp8_element<T>> {
};

} // namespace ptoref::python
