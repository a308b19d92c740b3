// .npy files for ptoref tensors: what pypto-lib's golden harness and numpy read and write.
//
//   FP32 as '<f4', INT32 as '<i4', FP16 as '<f2', INT8 '|i1', INT64 '<i8', UINT8 '|u1',
//   UINT32 '<u4' (numpy's own dtypes); BF16 as '<u2' and FP8E4M3FN/FP8E5M2 as '|u1' holding the
//   raw bits (numpy has no bfloat16 or float8). Loading a BF16 tensor also accepts '<f4' and
//   rounds to nearest-even, as torch's .to(torch.bfloat16) does.
// Every malformed file is an error naming the file and the problem; never a crash.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "ptoref/core/convert.hpp"
#include "ptoref/io/npy_format.hpp"
#include "ptoref/tensor/tensor.hpp"

namespace ptoref::io {

namespace detail {

template <element_type T>
std::uint64_t bits_of(T v) noexcept
{
    return static_cast<std::uint64_t>(dtype_traits<T>::to_bits(v));
}

template <element_type T>
T from_bits(std::uint64_t b) noexcept
{
    return dtype_traits<T>::from_bits(static_cast<typename dtype_traits<T>::bits_type>(b));
}

inline std::uint64_t load_le(const std::uint8_t* p, std::size_t n) noexcept
{
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < n; ++k)
        v |= static_cast<std::uint64_t>(p[k]) << (8 * k);
    return v;
}

} // namespace detail

template <element_type T>
void save_npy(const std::string& path, const Tensor<T>& t, source_location loc = source_location::current())
{
    if (!t)
        throw error("ptoref::io::save_npy", path + ": empty tensor handle", loc);
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw error("ptoref::io::save_npy", path + ": cannot open for writing", loc);
    write_npy_header(out, std::string(dtype_traits<T>::npy_descr), t.shape().to_vector());
    std::vector<std::uint8_t> bytes;
    bytes.reserve(static_cast<std::size_t>(t.numel()) * sizeof(T));
    t.for_each_flat([&](index f) {
        const std::uint64_t b = detail::bits_of(t.storage().data()[f]);
        for (std::size_t k = 0; k < sizeof(T); ++k)
            bytes.push_back(static_cast<std::uint8_t>(b >> (8 * k)));
    });
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw error("ptoref::io::save_npy", path + ": write failed", loc);
}

// Reads a .npy image from a stream; `file` names it in messages and gives the tensor's name
// ("q_proj.npy" -> "q_proj", as the DSL program's parameter).
template <element_type T>
Tensor<T> read_npy(std::istream& in, const std::string& file, source_location loc = source_location::current())
{
    constexpr const char* op = "ptoref::io::load_npy";
    const std::string what = escape_excerpt(file, 300);
    try {
        const npy_header h = parse_npy_header(in, file);
        const std::string want(dtype_traits<T>::npy_descr);
        const bool bf16_from_f4 = std::is_same_v<T, bf16> && h.descr == "<f4";
        if (h.descr != want && !bf16_from_f4)
            throw error(op,
                        what + ": dtype " + escape_excerpt(h.descr, 40) + " does not match " +
                            std::string(dtype_traits<T>::name) + " (expected " + want +
                            (std::is_same_v<T, bf16> ? " raw bits, or <f4" : "") + ")",
                        loc);
        dims shape;
        if (h.shape.size() > static_cast<std::size_t>(max_rank))
            throw error(op, what + ": rank " + std::to_string(h.shape.size()) + " exceeds 8", loc);
        for (std::int64_t e : h.shape)
            shape.push_back(e);
        if (shape.empty())
            shape.push_back(1); // a numpy scalar becomes a one-element tensor
        const std::size_t elem = bf16_from_f4 ? 4 : sizeof(T);
        const std::vector<std::uint8_t> payload = read_npy_payload(in, h, elem, file);
        // Before the values are unpacked: a shape past the size cap is refused by its size.
        ptoref::detail::check_new_shape<T>(shape, op, loc);
        std::vector<T> values(static_cast<std::size_t>(shape.product()));
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::uint64_t b = io::detail::load_le(payload.data() + i * elem, elem);
            if constexpr (std::is_same_v<T, bf16>)
                values[i] = bf16_from_f4
                                ? convert<bf16>(std::bit_cast<float>(static_cast<std::uint32_t>(b)), cast_mode::rint)
                                : bf16::from_bits(static_cast<std::uint16_t>(b));
            else
                values[i] = io::detail::from_bits<T>(b);
        }
        Tensor<T> t = tensor_from<T>(shape, values, loc);
        std::string stem =
            file.substr(file.find_last_of("/\\") == std::string::npos ? 0 : file.find_last_of("/\\") + 1);
        if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".npy") == 0)
            stem.resize(stem.size() - 4);
        t.name(stem);
        return t;
    } catch (const npy_error& e) {
        throw error(op, e.what(), loc);
    }
}

template <element_type T>
Tensor<T> load_npy(const std::string& path, source_location loc = source_location::current())
{
    std::ifstream in;
    try {
        open_npy_file(in, path);
    } catch (const npy_error& e) {
        throw error("ptoref::io::load_npy", e.what(), loc);
    }
    return read_npy<T>(in, path, loc);
}

} // namespace ptoref::io
