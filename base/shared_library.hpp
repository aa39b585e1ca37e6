#pragma once
// A shared library opened at run time, on first use, by its soname. Graphviz (viz/render.cpp)
// and librsvg with cairo (plot/png.cpp) are loaded this way: linked at start-up they pulled in
// some 45 libraries (pango, glib, X11, ICU, …) and ~35 ms of dynamic loading into every run of
// privflow, though only the commands that render a PNG, SVG or PDF use them.
#include <string>

namespace privflow {

class SharedLibrary {
 public:
  /// Opens `soname` (RTLD_NOW | RTLD_LOCAL); on failure error() says why.
  explicit SharedLibrary(const char* soname);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  /// Why the library or the last missing symbol could not be found ("" when all went well).
  const std::string& error() const { return error_; }

  /// The address of `name` in the library or the libraries it depends on; nullptr (and
  /// error() set) when absent.
  void* address(const char* name);
  /// `name` as a pointer of the declared type: symbol<decltype(gvLayout)>("gvLayout").
  template <class T>
  T* symbol(const char* name) {
    return reinterpret_cast<T*>(address(name));
  }

 private:
  void* handle_ = nullptr;
  std::string soname_, error_;
};

}  // namespace privflow
