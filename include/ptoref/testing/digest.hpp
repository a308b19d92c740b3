// SHA-256 digests of tensor contents, for pinning goldens by hash.
//
// The digest covers the element bits only, row-major over the physical shape, each element as
// its little-endian bytes (so it is the same on every host). Shape and dtype are not hashed:
// pin them separately if they matter. Equal digests mean bit-identical data.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "ptoref/tensor/tensor.hpp"
#include "ptoref/testing/sha256.hpp"

namespace ptoref::testing {

template <element_type T>
std::string digest(const Tensor<T>& t)
{
    sha256 h;
    // A contiguous tensor on a little-endian host already holds the bytes to hash.
    if constexpr (std::endian::native == std::endian::little) {
        if (t.is_contiguous() && t.numel() > 0) { // an empty view's offset may lie past the buffer
            h.update(reinterpret_cast<const unsigned char*>(t.storage().data() + t.offset()),
                     static_cast<std::size_t>(t.numel()) * sizeof(T));
            return to_hex(h.finish());
        }
    }
    unsigned char chunk[4096];
    std::size_t used = 0;
    t.for_each_flat([&](index f) {
        const T v = t.storage().data()[f];
        const auto bits = static_cast<std::uint64_t>(dtype_traits<T>::to_bits(v));
        for (std::size_t k = 0; k < sizeof(T); ++k)
            chunk[used++] = static_cast<unsigned char>(bits >> (8 * k));
        if (used == sizeof chunk) {
            h.update(chunk, used);
            used = 0;
        }
    });
    h.update(chunk, used);
    return to_hex(h.finish());
}

} // namespace ptoref::testing
