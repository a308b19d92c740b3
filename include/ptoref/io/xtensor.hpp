// Conversion between ptoref tensors and xtensor containers (xtensor 0.24, flat include paths).
//
// Both directions copy: an xtensor expression is evaluated into a new ptoref buffer, and a ptoref
// view (any strides, any valid region) is copied out row-major. Elements outside a view's valid
// region come out as they are stored; call pl::fillpad first if they must be meaningful.
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "ptoref/tensor/tensor.hpp"

namespace ptoref::io {

template <element_type T>
xt::xarray<T> to_xarray(const Tensor<T>& t)
{
    std::vector<std::size_t> shape;
    for (index e : t.shape())
        shape.push_back(static_cast<std::size_t>(e));
    xt::xarray<T> out(shape);
    std::size_t i = 0;
    t.for_each_flat([&](index f) { out.data()[i++] = t.storage().data()[f]; });
    return out;
}

template <class E>
auto from_xtensor(const xt::xexpression<E>& expr, source_location loc = source_location::current())
{
    using T = std::decay_t<typename E::value_type>;
    static_assert(
        element_type<T>,
        "ptoref tensors hold the element types of core/dtype.hpp (float, bf16, fp16, int8/32/64, uint8/32, fp8)");
    const xt::xarray<T, xt::layout_type::row_major> dense = expr.derived_cast();
    dims shape;
    for (std::size_t e : dense.shape())
        shape.push_back(static_cast<index>(e));
    return tensor_from<T>(shape, std::span<const T>(dense.data(), dense.size()), loc);
}

} // namespace ptoref::io
