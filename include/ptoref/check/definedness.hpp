// Output checks: undefined data (never written, or padding) must not reach a function output.
//
//   ptoref::check::require_defined(attn_out, "attn_out");
//
// reports every undefined element of the view, coalesced into boxes, with the origin of the
// undefined data (the create_tensor site, or the padding it was read from).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ptoref/check/observer.hpp"
#include "ptoref/tensor/tensor.hpp"

namespace ptoref::check {

template <element_type T>
void require_defined(const Tensor<T>& t, std::string_view what, source_location loc = source_location::current())
{
    if (!enabled() || !t)
        return;
    // Nothing to report (the common case): no element is undefined and no padding is in view.
    if (t.storage().all_defined() && t.valid_shape() == t.shape())
        return;
    std::vector<index> flats;
    dims idx = dims::filled(t.rank(), 0);
    bool padding_seen = false;
    t.for_each_flat([&](index f) {
        bool padding = false;
        for (int d = 0; d < t.rank(); ++d)
            padding = padding || idx[d] >= t.valid_shape()[d];
        if (padding || !t.storage().is_defined(f))
            flats.push_back(f);
        padding_seen = padding_seen || padding;
        advance_row_major(idx, t.shape());
    });
    if (flats.empty())
        return;
    definedness_record r;
    r.tensor = t.name().empty() ? t.storage().display_name() : t.name();
    r.where = op_site{"output '" + std::string(what) + "'", loc, access_kind::read};
    r.tensor_shape = t.storage().root_shape();
    r.region = coalesce(std::move(flats), r.tensor_shape);
    for (const box& b : r.region)
        r.elements += b.count();
    const std::string origin = t.storage().poison_origin();
    r.origin = !origin.empty()
                   ? origin
                   : (padding_seen ? "padding outside valid_shape " + to_string(t.valid_shape()) : "unknown");
    deliver::undefined(std::move(r));
}

} // namespace ptoref::check
