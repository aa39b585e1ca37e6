# Decides privflow_with_python from PRIVFLOW_PYTHON (AUTO, ON, OFF) and finds Python and pybind11.
# The interpreter is FindPython's `Python_EXECUTABLE` (not the `Python3_` one the test scripts
# use): by default Debian's /usr/bin/python3, whose packages (pybind11-dev, python3-pytest) the
# module and its tests are built for; a Python first on PATH (pyenv, conda) has neither.
# Give -DPython_EXECUTABLE=... to build for another interpreter.
set(privflow_with_python OFF)
string(TOUPPER "${PRIVFLOW_PYTHON}" privflow_python_mode)
if(NOT privflow_python_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "PRIVFLOW_PYTHON must be AUTO, ON or OFF, not '${PRIVFLOW_PYTHON}'")
endif()
# A sanitized or fuzzing module would need its runtime loaded before Python starts: AUTO skips it.
if(privflow_python_mode STREQUAL "ON" AND (PRIVFLOW_SANITIZE OR PRIVFLOW_FUZZ))
  message(FATAL_ERROR "PRIVFLOW_PYTHON=ON does not go with PRIVFLOW_SANITIZE or PRIVFLOW_FUZZ")
endif()
if(privflow_python_mode STREQUAL "OFF" OR PRIVFLOW_SANITIZE OR PRIVFLOW_FUZZ)
  return()
endif()
set(privflow_python_required)
if(privflow_python_mode STREQUAL "ON")
  set(privflow_python_required REQUIRED)
endif()
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "The Python the privflow package is built for")
endif()
find_package(Python 3.9 COMPONENTS Interpreter Development.Module ${privflow_python_required})
if(Python_FOUND)
  find_package(pybind11 2.6 CONFIG ${privflow_python_required})
endif()
if(Python_FOUND AND pybind11_FOUND)
  set(privflow_with_python ON)
  # The module links the static libraries into a shared object.
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  message(STATUS "privflow: building the Python package for ${Python_EXECUTABLE}")
else()
  message(STATUS "privflow: not building the Python package (needs python3-dev and pybind11-dev)")
endif()
