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
#include <optional>
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

// Elements from their little-endian bytes: a copy on a little-endian host. `src` may be `dst`.
template <element_type T>
void from_le_bytes(const std::uint8_t* src, T* dst, std::size_t n) noexcept
{
    if constexpr (std::endian::native == std::endian::little) {
        if (n != 0 && static_cast<const void*>(src) != static_cast<const void*>(dst))
            std::memcpy(static_cast<void*>(dst), src, n * sizeof(T));
    } else {
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = from_bits<T>(load_le(src + i * sizeof(T), sizeof(T)));
    }
}

// BF16 from '<f4' values, rounded to nearest-even as torch's .to(torch.bfloat16).
inline void bf16_from_f4_bytes(const std::uint8_t* src, bf16* dst, std::size_t n) noexcept
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] =
            convert<bf16>(std::bit_cast<float>(static_cast<std::uint32_t>(load_le(src + i * 4, 4))), cast_mode::rint);
}

} // namespace detail

// A contiguous tensor is written straight from its buffer (one write of the payload); other
// views are gathered element by element.
template <element_type T>
void save_npy(const std::string& path, const Tensor<T>& t, source_location loc = source_location::current())
{
    if (!t)
        throw error("ptoref::io::save_npy", path + ": empty tensor handle", loc);
    std::ofstream out(path, std::ios::binary);
    if (!out)
        throw error("ptoref::io::save_npy", path + ": cannot open for writing", loc);
    write_npy_header(out, std::string(dtype_traits<T>::npy_descr), t.shape().to_vector());
    const auto n = static_cast<std::size_t>(t.numel());
    if (std::endian::native == std::endian::little && t.is_contiguous()) {
        if (n != 0)
            out.write(reinterpret_cast<const char*>(t.storage().data() + t.offset()),
                      static_cast<std::streamsize>(n * sizeof(T)));
    } else {
        std::vector<std::uint8_t> bytes;
        bytes.reserve(n * sizeof(T));
        t.for_each_flat([&](index f) {
            const std::uint64_t b = detail::bits_of(t.storage().data()[f]);
            for (std::size_t k = 0; k < sizeof(T); ++k)
                bytes.push_back(static_cast<std::uint8_t>(b >> (8 * k)));
        });
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    out.flush();
    if (!out)
        throw error("ptoref::io::save_npy", path + ": write failed", loc);
}

// Reads a .npy image from a stream; `file` names it in messages and gives the tensor's name
// ("q_proj.npy" -> "q_proj", as the DSL program's parameter). When the stream can tell how many
// bytes it holds (files, string streams), a truncated payload is refused before anything is
// allocated and the payload is read once, straight into the tensor's buffer; otherwise it is
// read as it arrives (memory grows only with bytes that come) and copied in.
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
        const std::size_t bytes = npy_payload_bytes(h, elem, file);
        const std::optional<std::size_t> avail = npy_stream_remaining(in);
        std::vector<std::uint8_t> payload;
        if (!avail)
            payload = read_npy_payload(in, h, elem, file);
        else if (*avail < bytes)
            npy_truncated_payload(file, bytes, *avail);
        // Before anything is allocated: a shape past the size cap is refused by its size.
        ptoref::detail::check_new_shape<T>(shape, op, loc);
        Tensor<T> t = ptoref::detail::new_tensor<T>(shape, "tensor_from", loc, ptoref::detail::for_overwrite);
        T* dst = t.storage().data();
        const auto n = static_cast<std::size_t>(shape.product());
        auto read = [&](std::uint8_t* to, std::size_t count, std::size_t done) {
            in.read(reinterpret_cast<char*>(to), static_cast<std::streamsize>(count));
            const auto got = static_cast<std::size_t>(in.gcount());
            if (got != count) // the file shrank since its size was taken
                npy_truncated_payload(file, bytes, done + got);
        };
        if constexpr (std::is_same_v<T, bf16>) {
            if (bf16_from_f4) {
                if (avail) {
                    constexpr std::size_t chunk = std::size_t{1} << 14; // elements per read
                    std::vector<std::uint8_t> part(std::min(n, chunk) * 4);
                    for (std::size_t i = 0; i < n; i += chunk) {
                        const std::size_t m = std::min(chunk, n - i);
                        read(part.data(), m * 4, i * 4);
                        detail::bf16_from_f4_bytes(part.data(), dst + i, m);
                    }
                } else {
                    detail::bf16_from_f4_bytes(payload.data(), dst, n);
                }
            }
        }
        if (!bf16_from_f4) {
            auto* raw = reinterpret_cast<std::uint8_t*>(dst);
            if (avail && bytes != 0)
                read(raw, bytes, 0);
            detail::from_le_bytes<T>(avail ? raw : payload.data(), dst, n);
        }
        // Filling the new buffer is a write, reported like every op's result write.
        ptoref::detail::notify_access(t, t.geometry(), access_kind::write, "tensor_from", loc);
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
