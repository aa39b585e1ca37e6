// privflow_example SPEC: checks a .pflow spec with privflow's library API and prints one line
// per requirement; exits as `privflow check` would.
#include <privflow/privflow.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: privflow_example SPEC.pflow\n";
    return privflow::api::kExitInvalid;
  }
  privflow::api::ParseResult parsed = privflow::api::parse_file(argv[1]);
  std::cerr << parsed.diagnostics_text;  // warnings too
  if (!parsed.spec) return parsed.exit_code();

  privflow::api::AnalyzeOptions options;
  options.accountant = privflow::api::Accountant::kAuto;
  privflow::api::Result result = privflow::api::analyze(*parsed.spec, options);
  if (!result.internal_error.empty()) std::cerr << "internal error: " << result.internal_error << "\n";

  std::cout << "privflow " << privflow::api::version() << ": " << result.pipeline << "\n";
  for (const auto& v : result.verdicts) {
    std::cout << v.name << " (line " << v.line << "): " << v.status_text << ", " << v.measure;
    if (v.data) std::cout << "(" << *v.data << ")";
    std::cout << " = " << v.value_text << " (bound " << v.bound_text << ", " << v.method << ")\n";
  }
  std::cout << "exit code " << result.exit_code << "\n";
  return result.exit_code;
}
