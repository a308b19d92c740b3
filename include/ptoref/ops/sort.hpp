// pl::sort32 and pl::mrgsort: the device's block sort and merge sort over (value, index)
// records (docs/semantics.md §9.5; ops-semantics-2.md §4).
//
// A record is the value followed by the 32 index bits, copied verbatim from idx: for FP32
// [value, index bits] (2 elements), for FP16 [value, 0x0000, index bits low, high] (4 elements).
// Order: descending by value; equal values (+0 == -0) keep the smaller index (sort32) or the
// earlier list (mrgsort) first. NaN values (the device leaves them unspecified) sort after every
// number, among themselves like equal values. With an ascending arange as idx, sort32 followed
// by mrgsort is a stable descending argsort (what pypto-lib's goldens assume).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "ptoref/ops/operand.hpp"
#include "ptoref/ops/scalar.hpp"

namespace ptoref {
namespace detail {

// Elements per record: 2 for FP32, 4 for FP16, 0 for dtypes the device cannot sort.
template <class T>
inline constexpr index record_width = std::is_same_v<T, float> ? 2 : (std::is_same_v<T, fp16> ? 4 : 0);

template <class T>
[[noreturn]] void unsortable(std::string_view op, const source_location& loc)
{
    throw error(std::string(op),
                "sorts FP32 and FP16 values only (A2A3's VBS32/VMS4), not " + std::string(dtype_traits<T>::name), loc);
}

// a comes before b: a larger value first, NaN after every number; false for equal keys.
template <class T>
bool key_before(T a, T b) noexcept
{
    const float x = scalar::widen(a), y = scalar::widen(b);
    if (y != y)
        return x == x;
    return x == x && x > y;
}

// A merge of sorted runs of records: runs[i] = (first record, record count); the result
// appends to out/out_def. Ties go to the lower-numbered run. With stop_early, it stops as soon
// as one run is used up and returns the number of records written.
template <class T>
index merge_runs(const T* data, const std::uint8_t* defined, const std::vector<std::pair<index, index>>& runs,
                 bool stop_early, std::vector<T>& out, std::vector<std::uint8_t>& out_def)
{
    constexpr index w = record_width<T>;
    std::vector<index> pos(runs.size(), 0);
    index written = 0;
    while (true) {
        int best = -1;
        bool exhausted_one = false;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (pos[i] == runs[i].second) {
                exhausted_one = true;
                continue;
            }
            const T v = data[(runs[i].first + pos[i]) * w];
            if (best < 0 ||
                key_before(
                    v, data[(runs[static_cast<std::size_t>(best)].first + pos[static_cast<std::size_t>(best)]) * w]))
                best = static_cast<int>(i);
        }
        if (best < 0 || (stop_early && exhausted_one))
            return written;
        const auto b = static_cast<std::size_t>(best);
        const index rec = runs[b].first + pos[b];
        for (index e = 0; e < w; ++e) {
            out.push_back(data[rec * w + e]);
            out_def.push_back(defined == nullptr || defined[rec * w + e] ? 1 : 0);
        }
        ++pos[b];
        ++written;
    }
}

template <element_type T>
Tensor<T> finish_records(const dims& shape, const std::vector<T>& vals, const std::vector<std::uint8_t>& def,
                         std::string_view op, const source_location& loc, const std::string& origin)
{
    Tensor<T> out = new_tensor<T>(shape, op, loc);
    std::copy(vals.begin(), vals.end(), out.storage().data());
    bool all = true;
    for (std::uint8_t d : def)
        all = all && d;
    finish_output(out, all ? nullptr : def.data(), op, loc, origin);
    return out;
}

} // namespace detail

namespace pl {

// sort32(src[R, N], idx[1 or R, N]): each block of 32 columns sorted into records; dst is
// [R, 2N] for FP32 and [R, 4N] for FP16. idx has any 4-byte dtype (UINT32 or INT32): its bits
// are the records' indices. A 1-row idx serves every row. N must be a multiple of 32.
template <element_type T, element_type I>
Tensor<T> sort32(const Tensor<T>& src, const Tensor<I>& idx, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::sort32";
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    detail::require_handle(static_cast<bool>(idx), op, "idx", loc);
    if constexpr (detail::record_width<T> == 0) {
        detail::unsortable<T>(op, loc);
    } else if constexpr (sizeof(I) != 4) {
        throw error(std::string(op), "idx " + idx.describe() + " must have a 4-byte dtype (UINT32 or INT32)", loc);
    } else {
        constexpr index w = detail::record_width<T>;
        if (src.rank() != 2 || idx.rank() != 2 || idx.shape()[1] != src.shape()[1] ||
            (idx.shape()[0] != 1 && idx.shape()[0] != src.shape()[0]))
            throw error(
                std::string(op),
                "needs src [R, N] and idx [1 or R, N], got src " + src.describe() + " and idx " + idx.describe(), loc);
        const index rows = src.shape()[0], n = src.shape()[1];
        if (n % 32 != 0)
            throw error(std::string(op),
                        "the column count of " + src.describe() +
                            " must be a multiple of 32 (the padded 4-argument form is not supported)",
                        loc);
        const auto out_cols = checked_mul(n, w);
        if (!out_cols)
            throw error(std::string(op), "the record count of " + src.describe() + " overflows int64", loc);
        const detail::dense<T> ds = detail::read_dense(src, op, loc);
        const detail::dense<I> di = detail::read_dense(idx, op, loc);
        std::vector<T> vals;
        std::vector<std::uint8_t> def;
        vals.reserve(static_cast<std::size_t>(rows * *out_cols));
        def.reserve(vals.capacity());
        std::vector<index> order(32);
        for (index r = 0; r < rows; ++r) {
            const index ir = idx.shape()[0] == 1 ? 0 : r;
            for (index b = 0; b < n; b += 32) {
                const T* v = ds.data + r * n + b;
                const I* ix = di.data + ir * n + b;
                auto bits = [&](index k) { return std::bit_cast<std::uint32_t>(ix[k]); };
                for (index k = 0; k < 32; ++k)
                    order[static_cast<std::size_t>(k)] = k;
                // Insertion sort: a strict order (value, then index bits), so no two keys compare
                // equal unless the records are identical.
                for (std::size_t i = 1; i < 32; ++i)
                    for (std::size_t j = i; j > 0; --j) {
                        const index a = order[j], p = order[j - 1];
                        const bool before =
                            detail::key_before(v[a], v[p]) || (!detail::key_before(v[p], v[a]) && bits(a) < bits(p));
                        if (!before)
                            break;
                        std::swap(order[j], order[j - 1]);
                    }
                for (index k : order) {
                    const bool vd = ds.is_defined(r * n + b + k), id = di.is_defined(ir * n + b + k);
                    const std::uint32_t u = bits(k);
                    T rec[4] = {};
                    rec[0] = v[k];
                    if constexpr (w == 2) {
                        std::memcpy(static_cast<void*>(&rec[1]), &u, 4);
                    } else {
                        rec[1] = T::from_bits(0);
                        rec[2] = T::from_bits(static_cast<std::uint16_t>(u & 0xffffu));
                        rec[3] = T::from_bits(static_cast<std::uint16_t>(u >> 16));
                    }
                    for (index e = 0; e < w; ++e) {
                        vals.push_back(rec[e]);
                        def.push_back(e == 0 ? vd : (w == 4 && e == 1 ? 1 : id));
                    }
                }
            }
        }
        return detail::finish_records<T>(dims{rows, *out_cols}, vals, def, op, loc,
                                         ds.origin.empty() ? di.origin : ds.origin);
    }
}

// Format 1: src [1, C] holds sorted runs of block_len elements (block_len counts elements, not
// records: 64 is 32 FP32 records); each 4 consecutive runs merge into one run of 4 * block_len.
template <element_type T>
Tensor<T> mrgsort(const Tensor<T>& src, index block_len, source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::mrgsort";
    detail::require_handle(static_cast<bool>(src), op, "src", loc);
    if constexpr (detail::record_width<T> == 0) {
        detail::unsortable<T>(op, loc);
    } else {
        constexpr index w = detail::record_width<T>;
        if (src.rank() != 2 || src.shape()[0] != 1)
            throw error(std::string(op), "format 1 needs a single-row src [1, C], got " + src.describe(), loc);
        if (block_len <= 0 || block_len % 64 != 0)
            throw error(std::string(op),
                        "block_len " + std::to_string(block_len) + " must be a positive multiple of 64", loc);
        const index c = src.shape()[1];
        const auto group = checked_mul(block_len, 4);
        if (!group || c % *group != 0 || c / *group < 1 || c / *group > 255)
            throw error(std::string(op),
                        "the column count of " + src.describe() + " must be 1 to 255 times 4 * block_len (" +
                            std::to_string(block_len) + ")",
                        loc);
        const detail::dense<T> ds = detail::read_dense(src, op, loc);
        std::vector<T> vals;
        std::vector<std::uint8_t> def;
        vals.reserve(static_cast<std::size_t>(c));
        def.reserve(static_cast<std::size_t>(c));
        const index run = block_len / w;
        for (index g = 0; g < c / *group; ++g) {
            std::vector<std::pair<index, index>> runs;
            for (index k = 0; k < 4; ++k)
                runs.emplace_back((g * 4 + k) * run, run);
            detail::merge_runs(ds.data, ds.defined, runs, false, vals, def);
        }
        return detail::finish_records<T>(src.shape(), vals, def, op, loc, ds.origin);
    }
}

// Format 2: 2 to 4 sorted single-row lists merged into one [1, sum of columns]. exhausted:
// stop as soon as one list is used up; the rest of the result is unspecified by the device,
// here poison and undefined.
template <element_type T>
Tensor<T> mrgsort(const std::vector<Tensor<T>>& lists, bool exhausted = false,
                  source_location loc = source_location::current())
{
    constexpr std::string_view op = "pl::mrgsort";
    if constexpr (detail::record_width<T> == 0) {
        detail::unsortable<T>(op, loc);
    } else {
        constexpr index w = detail::record_width<T>;
        if (lists.size() < 2 || lists.size() > 4)
            throw error(std::string(op), "format 2 merges 2 to 4 lists, got " + std::to_string(lists.size()), loc);
        index total = 0;
        for (const Tensor<T>& l : lists) {
            detail::require_handle(static_cast<bool>(l), op, "a list", loc);
            if (l.rank() != 2 || l.shape()[0] != 1 || l.shape()[1] % w != 0)
                throw error(std::string(op),
                            "each list must be [1, C] with C a multiple of the record width " + std::to_string(w) +
                                ", got " + l.describe(),
                            loc);
            total += l.shape()[1]; // each fits in memory, so four of them fit in int64
        }
        std::vector<T> cat;
        std::vector<std::uint8_t> cat_def;
        std::vector<std::pair<index, index>> runs;
        std::string origin;
        for (const Tensor<T>& l : lists) {
            const detail::dense<T> d = detail::read_dense(l, op, loc);
            runs.emplace_back(static_cast<index>(cat.size()) / w, l.shape()[1] / w);
            for (index i = 0; i < l.shape()[1]; ++i) {
                cat.push_back(d.data[i]);
                cat_def.push_back(d.is_defined(i) ? 1 : 0);
            }
            if (origin.empty())
                origin = d.origin;
        }
        std::vector<T> vals;
        std::vector<std::uint8_t> def;
        detail::merge_runs(cat.data(), cat_def.data(), runs, exhausted, vals, def);
        if (static_cast<index>(vals.size()) < total && origin.empty())
            origin = "pl::mrgsort(exhausted=True) at " + to_string(loc) + " (past the merged records)";
        while (static_cast<index>(vals.size()) < total) {
            vals.push_back(detail::poison_value<T>());
            def.push_back(0);
        }
        return detail::finish_records<T>(dims{1, total}, vals, def, op, loc, origin);
    }
}

template <element_type T>
Tensor<T> mrgsort(const Tensor<T>& src0, const Tensor<T>& src1, bool exhausted = false,
                  source_location loc = source_location::current())
{
    return mrgsort(std::vector<Tensor<T>>{src0, src1}, exhausted, loc);
}
template <element_type T>
Tensor<T> mrgsort(const Tensor<T>& src0, const Tensor<T>& src1, const Tensor<T>& src2, bool exhausted = false,
                  source_location loc = source_location::current())
{
    return mrgsort(std::vector<Tensor<T>>{src0, src1, src2}, exhausted, loc);
}
template <element_type T>
Tensor<T> mrgsort(const Tensor<T>& src0, const Tensor<T>& src1, const Tensor<T>& src2, const Tensor<T>& src3,
                  bool exhausted = false, source_location loc = source_location::current())
{
    return mrgsort(std::vector<Tensor<T>>{src0, src1, src2, src3}, exhausted, loc);
}

} // namespace pl
} // namespace ptoref
