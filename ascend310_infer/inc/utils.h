/**
 * Helpers shared by the harness (fsrcnn_infer) and the converter tool (convert_model): options, files, latency.
 */
#ifndef FSRCNN_INFER_UTILS_H_
#define FSRCNN_INFER_UTILS_H_

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace fsrcnn {

// A mistake in the user's input: RunMain prints it as one line "error: ..." on stderr and exits with 2,
// as the project's Python scripts do.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;
  std::string default_value;  // empty: the option is required
  std::string help;
};

// `--name value` options; unknown, repeated or missing required ones are UserErrors. --help prints the usage.
class Options {
 public:
  Options(int argc, char **argv, const std::string &usage, const std::vector<OptionSpec> &specs);
  const std::string &Str(const std::string &name) const { return values_.at(name); }
  int Int(const std::string &name, int min_value) const;
  bool help_requested() const { return help_requested_; }

 private:
  std::map<std::string, std::string> values_;
  bool help_requested_ = false;
};

// Runs body(); a UserError or any other exception becomes one "error:" line and exit code 2 (user) or 1 (bug).
int RunMain(int (*body)(const Options &), int argc, char **argv, const std::string &usage,
            const std::vector<OptionSpec> &specs);

void RequireFile(const std::string &path, const std::string &what);
// The .bin files of a folder, sorted by name; a missing folder or one without .bin files is a UserError.
std::vector<std::string> ListBinFiles(const std::string &folder);
// Reads exactly `size` bytes of `path` into dest; a file of another length is a UserError (nothing is written past
// dest + size).
void ReadExactly(const std::string &path, char *dest, size_t size);
void WriteFile(const std::string &path, const void *data, size_t size);
void MakeDirs(const std::string &path);
std::string BaseName(const std::string &path);

std::string ShapeString(const std::vector<int64_t> &shape);

struct Latency {
  double median, mean, p90, min;
};
// Order statistics of per-iteration times: median (mean of the two middle values for an even count),
// p90 by nearest rank.
Latency Summarize(std::vector<double> ms);

}  // namespace fsrcnn

#endif  // FSRCNN_INFER_UTILS_H_
