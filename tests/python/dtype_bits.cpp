// The C++ side of test_dtypes.py: writes one input file per element type into DIR (every bit
// pattern of the 8-bit types, edge values and splitmix64 bits of the others), then prints
// "<name> <sha256>" for pl::cast of every input to every type in every mode and for the integer
// ops on the new types. The pytest runs the same ops on the same files through ptoref._core.
//   dtype_bits DIR
#include <ptoref/io/npy.hpp>
#include <ptoref/ptoref.hpp>
#include <ptoref/testing/digest.hpp>
#include <ptoref/testing/random.hpp>

#include "op_bits_main.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace pl = ptoref::pl;
using namespace ptoref;

using op_bits::out;

namespace {

template <class T>
Tensor<T> input(const std::string& dir)
{
    using B = typename dtype_traits<T>::bits_type;
    std::vector<T> v;
    if constexpr (sizeof(T) == 1) {
        for (unsigned b = 0; b < 256; ++b)
            v.push_back(dtype_traits<T>::from_bits(static_cast<B>(b)));
    } else {
        testing::splitmix64 r(sizeof(T) * 7 + dtype_traits<T>::is_float);
        for (int k = 0; k < static_cast<int>(sizeof(T) * 8); ++k) {
            v.push_back(dtype_traits<T>::from_bits(static_cast<B>(std::uint64_t{1} << k)));
            v.push_back(dtype_traits<T>::from_bits(static_cast<B>(0ull - (std::uint64_t{1} << k))));
        }
        while (v.size() < 256) {
            const std::uint64_t u = r.next();
            v.push_back(dtype_traits<T>::from_bits(static_cast<B>(v.size() % 2 ? u : u >> (u % 61))));
        }
    }
    auto t = tensor_from<T>({16, 16}, v);
    io::save_npy(dir + "/" + std::string(dtype_traits<T>::name) + ".npy", t);
    return t;
}

template <class From, class To>
void casts_to(const Tensor<From>& x)
{
    for (cast_mode m : all_cast_modes)
        out("cast/" + std::string(dtype_traits<From>::name) + "-" + std::string(dtype_traits<To>::name) + "/" +
                std::string(to_string(m)),
            pl::cast(x, dtype_tag<To>{}, m));
}

template <class From, class... To>
void casts(const Tensor<From>& x, type_list<To...>)
{
    (casts_to<From, To>(x), ...);
}

template <class From>
void all_ops(const std::string& dir)
{
    const auto x = input<From>(dir);
    casts(x, element_types{});
    if constexpr (integer_element<From>) {
        const std::string n(dtype_traits<From>::name);
        const auto y = pl::transpose(x, 0, 1);
        out("add/" + n, pl::add(x, y));
        out("sub/" + n, pl::sub(x, y));
        out("mul/" + n, pl::mul(x, y));
        out("maximum/" + n, pl::maximum(x, y));
        out("minimum/" + n, pl::minimum(x, y));
        out("neg/" + n, pl::neg(x));
        out("abs/" + n, pl::abs(x));
        out("div/" + n, pl::div(x, pl::full({16, 16}, dtype_tag<From>{}, 3)));
        out("row_sum/" + n, pl::row_sum(x));
        out("row_max/" + n, pl::row_max(x));
        out("row_min/" + n, pl::row_min(x));
        out("fillpad_min/" + n, pl::fillpad(pl::slice(x, {16, 16}, {0, 0}, {5, 7}), pl::PadValue::min));
    }
    if constexpr (std::is_same_v<From, std::int8_t>) {
        out("matmul/INT8-INT32", pl::matmul(x, x, pl::INT32));
        out("matmul/INT8-INT32-bt", pl::matmul(x, x, pl::INT32, false, true));
    }
    if constexpr (fp8_element<From>)
        out("matmul/" + std::string(dtype_traits<From>::name) + "-FP32",
            pl::matmul(x, pl::transpose(x, 0, 1), pl::FP32));
}

template <class... From>
void every_type(const std::string& dir, type_list<From...>)
{
    (all_ops<From>(dir), ...);
}

} // namespace

int main(int argc, char** argv)
{
    const auto dir = op_bits::dir_argument(argc, argv);
    if (!dir)
        return 2;
    check::set_enabled(false);
    every_type(*dir, element_types{});
    return 0;
}
