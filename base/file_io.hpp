#pragma once
// Reading specs and writing outputs: inputs may be `-` (standard input); outputs are
// written whole or not at all (a temporary file beside the target, then rename).
#include <string>

namespace privflow {

/// Reads a whole file (or standard input for "-"). On failure returns false and sets
/// `error` to a message such as "cannot read 'x.pflow': No such file or directory".
bool read_input(const std::string& path, std::string& contents, std::string& error);

/// Writes `contents` to `path` atomically: to a temporary file in the same folder,
/// flushed and synced, then renamed over the target. A failure leaves no partial file.
/// "-" writes to standard output. Special files (e.g. /dev/null, /dev/full) are written
/// directly, since they cannot be renamed over.
bool write_output(const std::string& path, const std::string& contents, std::string& error);

/// Removes the temporary file of a write_output in progress, if any. Async-signal-safe (only
/// unlink(2) on a fixed buffer): a SIGINT/SIGTERM handler or a watchdog calls it before the
/// process ends, so that an interrupted write leaves no partial file behind. While the
/// temporary file is being created or renamed, SIGINT, SIGTERM and SIGHUP are blocked, so a
/// temporary file that exists is always known here.
void remove_pending_output() noexcept;

}  // namespace privflow
