// The index, sort, scatter and data-movement ops of ptoref::pl, dtype-erased (the same calls a
// C++ port makes, with the Python call site). Where the C++ API rejects a dtype at compile time,
// the binding raises ptoref.Error with the reason instead; no numeric rule lives here.
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

template <class T>
std::string name_of()
{
    return std::string(dtype_traits<T>::name);
}

[[noreturn]] void mixed(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s)
{
    throw error(std::string(op),
                "operands have different dtypes " + std::string(dtype_name(dtype_of(a))) + " and " +
                    std::string(dtype_name(dtype_of(b))) + " (the DSL requires equal dtypes)",
                s.loc);
}

template <class F>
any_tensor same2(std::string_view op, const any_tensor& a, const any_tensor& b, const site& s, F&& f)
{
    if (a.v.index() != b.v.index())
        mixed(op, a, b, s);
    return std::visit(
        [&](const auto& x) {
            using TT = std::decay_t<decltype(x)>;
            return any_tensor{f(x, std::get<TT>(b.v))};
        },
        a.v);
}

// f(x) for an INT32 (or other index dtype) tensor; anything else is an error.
template <class F>
auto with_index(std::string_view op, const any_tensor& idx, const site& s, F&& f)
{
    return std::visit(
        [&](const auto& i) -> any_tensor {
            using I = typename std::decay_t<decltype(i)>::value_type;
            if constexpr (detail::index_element<I>)
                return f(i);
            else
                throw error(std::string(op), "the index must be INT32, got " + i.describe(), s.loc);
        },
        idx.v);
}

pl::MaskPattern pattern(int p)
{
    return static_cast<pl::MaskPattern>(p); // the C++ op rejects values outside 1..7
}

pl::AtomicType atomic_type(int a)
{
    return static_cast<pl::AtomicType>(a);
}

pl::PadValue pad(const std::string& p, std::string_view op, const site& s)
{
    if (p == "zero")
        return pl::PadValue::zero;
    if (p == "min")
        return pl::PadValue::min;
    if (p == "max")
        return pl::PadValue::max;
    throw error(std::string(op), "unknown pad value \"" + p + "\" (expected zero, min or max)", s.loc);
}

} // namespace

void bind_ops_index(py::module_& m)
{
    m.def("arange",
          [](std::int64_t start, const std::vector<index>& shape, dtype_id d, bool descending, const site& s) {
              return with_dtype(d, [&](auto tag) -> any_tensor {
                  using T = typename decltype(tag)::type;
                  if constexpr (std::is_integral_v<T>)
                      return any_tensor{pl::ci(start, to_dims(shape), tag, descending, s.loc)};
                  else
                      throw error("pl.arange", "makes integer sequences, not " + name_of<T>(), s.loc);
              });
          });
    m.def("gather_index", [](const any_tensor& input, index dim, const any_tensor& idx, const site& s) {
        return std::visit(
            [&](const auto& x) {
                return with_index("pl.gather", idx, s,
                                  [&](const auto& i) { return any_tensor{pl::gather(x, dim, i, s.loc)}; });
            },
            input.v);
    });
    m.def("gather_mask", [](const any_tensor& input, int p, std::optional<dtype_id> out, const site& s) {
        return std::visit(
            [&](const auto& x) {
                using T = typename std::decay_t<decltype(x)>::value_type;
                return with_dtype(out ? *out : id_of<T>(),
                                  [&](auto tag) { return any_tensor{pl::gather(x, pattern(p), tag, s.loc)}; });
            },
            input.v);
    });
    m.def("gather_row", [](const any_tensor& acc, const any_tensor& src, const std::vector<index>& dst_offset,
                           const std::vector<index>& src_offset, const std::vector<index>& shapes, bool transpose,
                           const std::optional<std::vector<index>>& valid, const site& s) {
        return same2("pl.gather_row", acc, src, s, [&](const auto& a, const auto& b) {
            return pl::gather_row(a, b, to_dims(dst_offset), to_dims(src_offset), to_dims(shapes), transpose,
                                  valid ? to_dims(*valid) : dims{}, s.loc);
        });
    });
    m.def("scatter_index",
          [](const any_tensor& input, index dim, const any_tensor& idx, const any_tensor& src, const site& s) {
              if (input.v.index() != src.v.index())
                  mixed("pl.scatter", input, src, s);
              return std::visit(
                  [&](const auto& x) {
                      using TT = std::decay_t<decltype(x)>;
                      return with_index("pl.scatter", idx, s, [&](const auto& i) {
                          return any_tensor{pl::scatter(x, dim, i, std::get<TT>(src.v), s.loc)};
                      });
                  },
                  input.v);
          });
    m.def("scatter_mask", [](const any_tensor& input, int p, const any_tensor& dst, const site& s) {
        return same2("pl.scatter", input, dst, s,
                     [&](const auto& x, const auto& d) { return pl::scatter(x, pattern(p), d, s.loc); });
    });
    m.def("scatter_update",
          [](const any_tensor& input, index dim, const any_tensor& idx, const any_tensor& src, const site& s) {
              if (input.v.index() != src.v.index())
                  mixed("pl.scatter_update", input, src, s);
              return std::visit(
                  [&](const auto& x) {
                      using TT = std::decay_t<decltype(x)>;
                      return with_index("pl.scatter_update", idx, s, [&](const auto& i) {
                          return any_tensor{pl::scatter_update(x, dim, i, std::get<TT>(src.v), s.loc)};
                      });
                  },
                  input.v);
          });
    m.def("sort32", [](const any_tensor& src, const any_tensor& idx, const site& s) {
        return std::visit([&](const auto& x, const auto& i) { return any_tensor{pl::sort32(x, i, s.loc)}; }, src.v,
                          idx.v);
    });
    m.def("mrgsort_blocks", [](const any_tensor& src, index block_len, const site& s) {
        return std::visit([&](const auto& x) { return any_tensor{pl::mrgsort(x, block_len, s.loc)}; }, src.v);
    });
    m.def("mrgsort_lists", [](const std::vector<any_tensor>& lists, bool exhausted, const site& s) {
        if (lists.empty())
            throw error("pl.mrgsort", "format 2 merges 2 to 4 lists, got 0", s.loc);
        return std::visit(
            [&](const auto& first) {
                using TT = std::decay_t<decltype(first)>;
                std::vector<TT> ts;
                for (const any_tensor& l : lists) {
                    if (l.v.index() != lists[0].v.index())
                        mixed("pl.mrgsort", lists[0], l, s);
                    ts.push_back(std::get<TT>(l.v));
                }
                return any_tensor{pl::mrgsort(ts, exhausted, s.loc)};
            },
            lists[0].v);
    });
#define PTOREF_BIND_ARG(NAME)                                                                                          \
    m.def(#NAME, [](const any_tensor& a, const site& s) {                                                              \
        return std::visit([&](const auto& x) { return any_tensor{pl::NAME(x, s.loc)}; }, a.v);                         \
    });
    PTOREF_BIND_ARG(row_argmax)
    PTOREF_BIND_ARG(row_argmin)
    PTOREF_BIND_ARG(col_argmax)
    PTOREF_BIND_ARG(col_argmin)
#undef PTOREF_BIND_ARG
    m.def("assemble_atomic", [](const any_tensor& target, const any_tensor& source, const std::vector<index>& offset,
                                int atomic, const site& s) {
        return same2("pl.assemble", target, source, s, [&](const auto& x, const auto& y) {
            return pl::assemble(x, y, to_dims(offset), atomic_type(atomic), s.loc);
        });
    });
    m.def("store_atomic", [](const any_tensor& tile, const std::vector<index>& offset, const any_tensor& output,
                             int atomic, const site& s) {
        return std::visit(
            [&](const auto& x, const auto& out) -> any_tensor {
                using From = typename std::decay_t<decltype(x)>::value_type;
                using To = typename std::decay_t<decltype(out)>::value_type;
                if constexpr (pl::storable<To, From>)
                    return any_tensor{pl::store(x, to_dims(offset), out, atomic_type(atomic), s.loc)};
                else
                    throw error("pl.store",
                                "cannot store a " + name_of<From>() + " tile into " + out.describe() +
                                    " (a store narrows only FP32 to BF16/FP16; cast first)",
                                s.loc);
            },
            tile.v, output.v);
    });
    m.def("set_validshape", [](const any_tensor& t, index rows, index cols, const site& s) {
        return std::visit([&](const auto& x) { return any_tensor{pl::set_validshape(x, rows, cols, s.loc)}; }, t.v);
    });
    m.def("fillpad_expand",
          [](const any_tensor& t, const std::vector<index>& shape, const std::string& p, const site& s) {
              const pl::PadValue pv = pad(p, "pl.fillpad_expand", s);
              return std::visit(
                  [&](const auto& x) { return any_tensor{pl::fillpad_expand(x, to_dims(shape), pv, s.loc)}; }, t.v);
          });
    m.def("expand_clone", [](const any_tensor& src, const any_tensor& target, const site& s) {
        return std::visit([&](const auto& x, const auto& t) { return any_tensor{pl::expand_clone(x, t, s.loc)}; },
                          src.v, target.v);
    });
    m.def("reinterpret_view",
          [](const any_tensor& t, dtype_id d, const std::optional<std::vector<index>>& shape, const site& s) {
              return std::visit(
                  [&](const auto& x) {
                      return with_dtype(d, [&](auto tag) {
                          return any_tensor{pl::reinterpret_view(x, tag, shape ? to_dims(*shape) : dims{}, s.loc)};
                      });
                  },
                  t.v);
          });
    m.def("create_tensor_init", [](const std::vector<index>& shape, dtype_id d,
                                   const std::variant<std::int64_t, double>& v, const site& s) {
        return with_dtype(d, [&](auto tag) {
            return std::visit([&](auto x) { return any_tensor{pl::create_tensor(to_dims(shape), tag, x, s.loc)}; }, v);
        });
    });
}

} // namespace ptoref::python
