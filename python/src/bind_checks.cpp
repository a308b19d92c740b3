// The checks: a collector (records instead of exceptions), the records as Python dicts (for
// tests) and as the C++ report text (for people), output definedness, footprints, on/off.
#include "any_tensor.hpp"
#include "bindings.hpp"

#include <memory>

namespace ptoref::python {
namespace {

py::dict site_dict(const check::op_site& s)
{
    py::dict d;
    d["op"] = s.op;
    d["site"] = to_string(s.where);
    d["kind"] = s.kind == access_kind::write ? "write" : (s.kind == access_kind::atomic_add ? "atomic_add" : "read");
    return d;
}

py::list boxes_list(const std::vector<check::box>& boxes)
{
    py::list out;
    for (const check::box& b : boxes) {
        py::list dims_list;
        for (int d = 0; d < b.lo.size(); ++d)
            dims_list.append(py::make_tuple(b.lo[d], b.hi[d]));
        out.append(py::tuple(dims_list));
    }
    return out;
}

std::vector<index> dims_vec(const dims& d)
{
    return std::vector<index>(d.begin(), d.end());
}

py::dict race_dict(const check::race_record& r)
{
    py::dict d;
    d["tensor"] = r.tensor;
    d["kind"] = check::to_string(r.kind);
    d["loop"] = r.loop;
    d["loop_site"] = to_string(r.loop_site);
    d["first_iteration"] = r.first_iteration;
    d["second_iteration"] = r.second_iteration;
    d["first"] = site_dict(r.first);
    d["second"] = site_dict(r.second);
    d["tensor_shape"] = dims_vec(r.tensor_shape);
    d["region"] = boxes_list(r.region);
    d["elements"] = r.elements;
    d["text"] = r.str();
    return d;
}

py::dict undefined_dict(const check::definedness_record& r)
{
    py::dict d;
    d["tensor"] = r.tensor;
    d["where"] = site_dict(r.where);
    d["tensor_shape"] = dims_vec(r.tensor_shape);
    d["region"] = boxes_list(r.region);
    d["elements"] = r.elements;
    d["origin"] = r.origin;
    d["text"] = r.str();
    return d;
}

py::dict stale_dict(const check::stale_record& r)
{
    py::dict d;
    d["tensor"] = r.tensor;
    d["read"] = site_dict(r.read);
    d["write"] = site_dict(r.write);
    d["handle_version"] = r.handle_version;
    d["write_version"] = r.write_version;
    d["tensor_shape"] = dims_vec(r.tensor_shape);
    d["region"] = boxes_list(r.region);
    d["elements"] = r.elements;
    d["text"] = r.str();
    return d;
}

py::dict divergence_dict(const check::divergence_record& r)
{
    py::dict d;
    d["where"] = site_dict(r.where);
    d["detail"] = r.detail;
    d["elements"] = r.elements;
    d["of"] = r.of;
    d["text"] = r.str();
    return d;
}

py::dict loop_dict(const check::loop_summary& s)
{
    py::dict d;
    d["loop"] = s.loop;
    d["loop_site"] = to_string(s.loop_site);
    d["line"] = s.loop_site.line();
    d["file"] = std::string(s.loop_site.file_name());
    d["outer_path"] = s.outer_path;
    d["iterations"] = s.iterations;
    d["element_accesses"] = s.element_accesses;
    d["races"] = s.races;
    py::dict fp;
    for (const auto& [name, per_iter] : s.footprints) {
        py::list l;
        for (const auto& [it, boxes] : per_iter)
            l.append(py::make_tuple(it, check::boxes_to_string(name, boxes, 4)));
        fp[py::str(name)] = l;
    }
    d["footprints"] = fp;
    return d;
}

template <class R, class F>
py::list records(const std::vector<R>& v, F&& f)
{
    py::list out;
    for (const R& r : v)
        out.append(f(r));
    return out;
}

// The state of one `with _core.StatementWrite(t):` block.
struct statement_write {
    const ptoref::detail::buffer_base* target;
    std::unique_ptr<check::statement_write_scope> scope;
};

} // namespace

void bind_checks(py::module_& m)
{
    // Not copyable and registered on a stack while alive: Python owns it through a unique_ptr;
    // close() ends collection deterministically (a `with` block calls it).
    py::class_<check::collector, std::unique_ptr<check::collector>>(m, "Collector")
        .def(py::init<>())
        .def("races", [](const check::collector& c) { return records(c.races(), race_dict); })
        .def("undefined", [](const check::collector& c) { return records(c.undefined(), undefined_dict); })
        .def("stale", [](const check::collector& c) { return records(c.stale(), stale_dict); })
        .def("loops", [](const check::collector& c) { return records(c.loops(), loop_dict); })
        .def("divergences", [](const check::collector& c) { return records(c.divergences(), divergence_dict); })
        .def("clean", &check::collector::clean)
        .def("report", &check::collector::report);

    // `with _core.StatementWrite(t):` around a statement-form in-place write through t
    // (check::statement_write_scope: no handle of t's buffer becomes stale by it).
    py::class_<statement_write>(m, "StatementWrite")
        .def(py::init([](const any_tensor& t) {
            const ptoref::detail::buffer_base* b = std::visit(
                [](const auto& x) -> const ptoref::detail::buffer_base* { return x.storage_ptr().get(); }, t.v);
            return statement_write{b, nullptr};
        }))
        .def("__enter__",
             [](statement_write& w) { w.scope = std::make_unique<check::statement_write_scope>(w.target); })
        .def("__exit__", [](statement_write& w, const py::args&) {
            w.scope.reset();
            return false;
        });

    // The size cap on any one allocation (core/memory_limit.hpp): 0 restores PTOREF_MAX_BYTES or
    // the default.
    m.def("set_max_bytes", &ptoref::set_max_bytes);
    m.def("max_bytes", [] { return ptoref::max_bytes(); });
    m.def("check_enabled", &check::enabled);
    m.def("set_check_enabled", &check::set_enabled);
    m.def("track_footprints", &check::track_footprints);
    m.def("require_defined", [](const any_tensor& t, const std::string& what, const site& s) {
        std::visit([&](const auto& x) { check::require_defined(x, what, s.loc); }, t.v);
    });
}

} // namespace ptoref::python
