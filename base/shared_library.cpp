#include "base/shared_library.hpp"

#include <dlfcn.h>

namespace privflow {

SharedLibrary::SharedLibrary(const char* soname) : soname_(soname) {
  handle_ = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = ::dlerror();
    error_ = "cannot load " + soname_ + (why ? std::string(": ") + why : std::string());
  }
}

// Never closed: Graphviz registers plugins and glib types that outlive any one call, and the
// process ends soon after a render anyway.
SharedLibrary::~SharedLibrary() = default;

void* SharedLibrary::address(const char* name) {
  if (!handle_) return nullptr;
  ::dlerror();
  void* p = ::dlsym(handle_, name);
  if (!p) error_ = soname_ + " has no symbol " + name;
  return p;
}

}  // namespace privflow
