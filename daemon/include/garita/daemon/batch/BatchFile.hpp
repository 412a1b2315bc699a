#pragma once
// Batch files on the exchange device. Written atomically so a pulled device
// or a power cut never leaves half a batch under the final name: temp file in
// the same directory, fsync, rename, fsync the directory (POSIX rename(2)).
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace garita::batch {

// `name` must be a plain file name (no '/', not "." or ".."); an existing file
// of that name is not replaced (io_failed): batches are never overwritten.
std::error_code write_batch_file(const std::filesystem::path& dir, std::string_view name,
                                 std::string_view bytes, std::string& error);

// Reads a whole batch file of at most `max_bytes` (too_large above).
std::error_code read_batch_file(const std::filesystem::path& path, std::string& bytes,
                                std::string& error, std::size_t max_bytes = std::size_t{1} << 31);

}  // namespace garita::batch
