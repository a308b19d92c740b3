// Tasks for the Python front end: task scopes (pl.at, pl.spmd launches, @pl.jit.incore calls,
// pl.submit, task_dummy) and manual scopes feed the C++ task model (check/runtime_ordering.hpp);
// the records come back as dicts. No rule lives here: tags, edges and verdicts are C++.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {
namespace {

check::param_dir parse_dir(const std::string& d, const site& s)
{
    if (d == "In")
        return check::param_dir::in;
    if (d == "Out")
        return check::param_dir::out;
    if (d == "InOut")
        return check::param_dir::inout;
    throw error("task", "unknown parameter direction '" + d + "' (expected In, Out or InOut)", s.loc);
}

std::uint64_t buffer_id(const any_tensor& t)
{
    return std::visit([](const auto& x) { return x.storage_ptr()->id(); }, t.v);
}

py::dict task_dict(const check::task_ref& t)
{
    py::dict d;
    d["id"] = t.id;
    d["kind"] = t.kind;
    d["site"] = t.where;
    d["path"] = t.path;
    d["block"] = t.block;
    d["blocks"] = t.blocks;
    d["manual"] = t.manual;
    d["tag"] = t.tag;
    d["access"] = t.access == access_kind::write ? "write" : "read";
    return d;
}

py::dict ordering_dict(const check::ordering_record& r)
{
    py::dict d;
    d["tensor"] = r.tensor;
    d["kind"] = check::to_string(r.kind);
    d["first"] = task_dict(r.first);
    d["second"] = task_dict(r.second);
    d["tensor_shape"] = std::vector<index>(r.tensor_shape.begin(), r.tensor_shape.end());
    py::list boxes;
    for (const check::box& b : r.region) {
        py::list dl;
        for (int k = 0; k < b.lo.size(); ++k)
            dl.append(py::make_tuple(b.lo[k], b.hi[k]));
        boxes.append(py::tuple(dl));
    }
    d["region"] = boxes;
    d["region_text"] = check::boxes_to_string(r.tensor, r.region);
    d["elements"] = r.elements;
    d["missing"] = r.missing();
    d["why"] = r.why;
    d["text"] = r.str();
    return d;
}

// A task in progress, owned by Python (the `with` block or call that made it).
struct py_task {
    check::task_recorder::task_handle handle;
};

} // namespace

void bind_tasks(py::module_& m)
{
    m.def("ordering", [] { return std::string(check::to_string(check::ordering_mode())); });
    m.def("set_ordering", [](const std::string& o) { check::set_ordering(check::parse_ordering(o)); });
    m.def("tasks_active", &check::task_recorder::active);
    m.def("tasks_reset", [] { check::task_recorder::instance().reset(); });
    // Judges the run's tasks: records to the innermost collector, or raises OrderingError.
    m.def("tasks_finish", &check::finish_tasks);
    m.def("tasks_count", [] { return check::task_recorder::instance().graph().size(); });

    py::class_<py_task, std::unique_ptr<py_task>>(m, "Task")
        .def("active", [](const py_task& t) { return static_cast<bool>(t.handle); })
        // Submits the task; returns its TaskId (0: nothing recorded).
        .def("end", [](py_task& t) { return check::task_recorder::instance().end(std::move(t.handle)); })
        // Drops it unsubmitted (the body raised).
        .def("abort", [](py_task& t) { t.handle = check::task_recorder::task_handle{}; });

    // Starts a task. args: None (whole touched buffers, directions from use) or a list of
    // (tensor, "In" | "Out" | "InOut", with "|NoDep" appended for a pl.no_dep slot); no_dep:
    // tensors whose slots are NO_DEP (pl.at(no_dep_args=...)).
    m.def(
        "task_begin",
        [](const std::string& kind, const site& s, index blocks, const std::vector<check::task_id>& deps,
           const std::optional<std::vector<std::pair<any_tensor, std::string>>>& args,
           const std::vector<any_tensor>& no_dep) {
            auto t = std::make_unique<py_task>();
            if (!check::task_recorder::active())
                return t;
            check::task_spec spec;
            spec.kind = kind;
            spec.site = s.loc;
            spec.site_text = to_string(s.loc);
            spec.blocks = blocks;
            spec.deps = deps;
            for (const any_tensor& nd : no_dep)
                spec.no_dep_buffers.push_back(buffer_id(nd));
            if (args) {
                std::vector<check::arg_spec> list;
                for (const auto& [tensor, spelled] : *args) {
                    // "<dir>|NoDep": the call passed pl.no_dep(t) in this slot.
                    const bool slot_no_dep = spelled.ends_with("|NoDep");
                    const std::string dir = slot_no_dep ? spelled.substr(0, spelled.size() - 6) : spelled;
                    const check::param_dir d = parse_dir(dir, s);
                    check::arg_spec a = std::visit(
                        [&](const auto& x) {
                            return d == check::param_dir::in
                                       ? pl::in_arg(x)
                                       : (d == check::param_dir::out ? pl::out_arg(x) : pl::inout_arg(x));
                        },
                        tensor.v);
                    a.no_dep = slot_no_dep || std::find(spec.no_dep_buffers.begin(), spec.no_dep_buffers.end(),
                                                        a.buffer) != spec.no_dep_buffers.end();
                    list.push_back(std::move(a));
                }
                spec.args = std::move(list);
            }
            t->handle = check::task_recorder::instance().begin(std::move(spec));
            return t;
        },
        py::arg("kind"), py::arg("site"), py::arg("blocks"), py::arg("deps"), py::arg("args"), py::arg("no_dep"));

    // The block index accesses are attributed to (a pl.spmd launch's body); returns the old one.
    m.def("task_block", [](index b) {
        const index old = check::detail::current_block();
        check::detail::current_block() = b;
        return old;
    });
    m.def("manual_enter", [] {
        if (check::task_recorder::active())
            check::task_recorder::instance().enter_manual();
    });
    m.def("manual_leave", [] {
        if (check::task_recorder::active())
            check::task_recorder::instance().leave_manual();
    });
    m.def("set_manual_dep", [](const any_tensor& t) {
        if (check::task_recorder::active())
            check::task_recorder::instance().set_manual_dep(buffer_id(t));
    });
    m.def("collector_orderings", [](const check::collector& c) {
        py::list out;
        for (const check::ordering_record& r : c.orderings())
            out.append(ordering_dict(r));
        return out;
    });
}

} // namespace ptoref::python
