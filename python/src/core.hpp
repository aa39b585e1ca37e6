#pragma once
// privflow._core: the C++ half of the Python package (python/privflow/ is the other half).
// Each bind_* function adds one area's functions to the module; nothing here keeps state
// between calls (every object a function needs is passed to it or owned by a Python object).
#include <pybind11/pybind11.h>

#include "base/rational.hpp"

namespace privflow::python {

namespace py = pybind11;

/// A number given from Python, exactly: int, float (its exact binary value), str (as a spec
/// writes numbers: `1e-5`, `1/3`, `1_000`) or fractions.Fraction. Raises TypeError or
/// ValueError naming the argument.
Rational exact_number(const py::handle& value, const char* name);

void bind_accounting(py::module_& m);
void bind_analysis(py::module_& m);
void bind_local_randomizers(py::module_& m);

}  // namespace privflow::python
