// Loops for the Python front end: a parallel loop instance driven one iteration at a time (the
// same pl::detail::parallel_instance pl::parallel uses, so the same order and race judgement),
// frames for sequential loops, and the process-wide schedule.
#include "any_tensor.hpp"
#include "bindings.hpp"

namespace ptoref::python {

void bind_loops(py::module_& m)
{
    py::class_<pl::detail::parallel_instance>(m, "ParallelLoop")
        .def(py::init([](const std::string& loop, index start, index stop, index step,
                         const std::optional<std::string>& sched, const site& s) {
                 pl::loop_options opt;
                 if (sched)
                     opt.sched = pl::schedule::parse(*sched, s.loc);
                 return std::make_unique<pl::detail::parallel_instance>(loop, start, stop, step, opt, s.loc);
             }),
             py::arg("loop"), py::arg("start"), py::arg("stop"), py::arg("step"), py::arg("schedule"), py::arg("site"))
        // The iteration values in the order the schedule runs them.
        .def("values",
             [](const pl::detail::parallel_instance& p) {
                 std::vector<index> v;
                 v.reserve(p.order().size());
                 for (index k : p.order())
                     v.push_back(p.value(k));
                 return v;
             })
        .def("schedule", [](const pl::detail::parallel_instance& p) { return p.sched().str(); })
        .def("enter", &pl::detail::parallel_instance::enter)
        .def("leave", &pl::detail::parallel_instance::leave)
        .def("barrier", &pl::detail::parallel_instance::barrier)
        .def("finish", &pl::detail::parallel_instance::finish);

    m.def("trip_count", [](index start, index stop, index step, const std::string& loop, const site& s) {
        return pl::detail::trip_count(start, stop, step, loop, pl::loop_options{}, s.loc);
    });
    // A sequential loop's iteration frame (reports show every enclosing loop's index).
    m.def("push_frame", [](index value) { ptoref::detail::loop_frames().push_back({value, nullptr}); });
    m.def("pop_frame", [] { ptoref::detail::loop_frames().pop_back(); });
    m.def("loop_depth", [] { return ptoref::detail::loop_frames().size(); });
    m.def("reset_frames", [] { ptoref::detail::loop_frames().clear(); });

    m.def("set_default_schedule", [](const std::string& text) { pl::set_default_schedule(pl::schedule::parse(text)); });
    m.def("default_schedule", [] { return pl::default_schedule().str(); });
    m.def("simd_path", [] {
        switch (simd::active_path()) {
        case simd::path::scalar:
            return "scalar";
        case simd::path::avx2:
            return "avx2";
        case simd::path::avx512:
            return "avx512";
        case simd::path::avx512bf16:
            return "avx512bf16";
        }
        return "?";
    });
}

} // namespace ptoref::python
