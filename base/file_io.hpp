#pragma once
// Reading specs and writing outputs: inputs may be `-` (standard input); outputs are
// written whole or not at all (a temporary file beside the target, then rename).
#include <cstddef>
#include <iosfwd>
#include <string>

namespace privflow {

/// Reads a whole file (or standard input for "-"), at most `max_bytes`: reading stops as soon
/// as there is more (a huge file or /dev/zero costs no more than the limit). On failure returns
/// false and sets `error` to a message such as "cannot read 'x.pflow': No such file or directory".
bool read_input(const std::string& path, std::string& contents, std::string& error,
                std::size_t max_bytes = std::size_t{64} << 20);

/// The same for a stream (a caller's standard input): false, with `error`, past `max_bytes`.
bool read_bounded(std::istream& in, std::string& contents, std::size_t max_bytes, std::string& error);

/// True when both paths name one existing file (after links, hard links included).
bool same_file(const std::string& a, const std::string& b);

/// Writes `contents` to `path` atomically: to a temporary file in the same folder,
/// flushed and synced, then renamed over the target. A failure leaves no partial file.
/// "-" writes to standard output. Special files (e.g. /dev/null, /dev/full) are written
/// directly, since they cannot be renamed over. A symbolic link is written through to its
/// target; a file with other hard links is rewritten in place (keeping the links); the
/// result keeps the original's mode and owner (where permitted); a new file gets 0666 less
/// the umask. The temporary file is `.privflow-XXXXXX` in the target's folder.
bool write_output(const std::string& path, const std::string& contents, std::string& error);

/// Removes the temporary file of a write_output in progress, if any. Async-signal-safe (only
/// unlink(2) on a fixed buffer): a SIGINT/SIGTERM handler or a watchdog calls it before the
/// process ends, so that an interrupted write leaves no partial file behind. While the
/// temporary file is being created or renamed, SIGINT, SIGTERM and SIGHUP are blocked, so a
/// temporary file that exists is always known here.
void remove_pending_output() noexcept;

}  // namespace privflow
