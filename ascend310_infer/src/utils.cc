#include "utils.h"

#include <algorithm>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>

namespace fs = std::filesystem;

namespace fsrcnn {

namespace {

void PrintUsage(const std::string &usage, const std::vector<OptionSpec> &specs) {
  std::cout << usage << "\n\noptions:\n";
  for (const auto &spec : specs) {
    std::cout << "  --" << spec.name << "  " << spec.help
              << (spec.default_value.empty() ? " (required)" : " (default " + spec.default_value + ")") << "\n";
  }
}

// The whole of `text` as a base-10 integer.
bool ParseInteger(const std::string &text, long long *value) {
  size_t used = 0;
  try {
    *value = std::stoll(text, &used);
  } catch (const std::exception &) {
    return false;
  }
  return used == text.size();
}

}  // namespace

Options::Options(int argc, char **argv, const std::string &usage, const std::vector<OptionSpec> &specs) {
  std::map<std::string, std::string> given;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintUsage(usage, specs);
      help_requested_ = true;
      return;
    }
    std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : "";
    std::string value;
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (!name.empty()) {
      if (i + 1 >= argc) throw UserError("option --" + name + " needs a value");
      value = argv[++i];
    }
    auto known = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec &s) { return s.name == name; });
    if (known == specs.end()) throw UserError("unknown option '" + arg + "' (see --help)");
    if (given.count(name)) throw UserError("option --" + name + " given twice");
    given[name] = value;
  }
  for (const auto &spec : specs) {
    auto it = given.find(spec.name);
    if (it != given.end() && !it->second.empty()) {
      values_[spec.name] = it->second;
    } else if (!spec.default_value.empty()) {
      values_[spec.name] = spec.default_value;
    } else {
      throw UserError("option --" + spec.name + " is required (" + spec.help + ")");
    }
  }
}

int Options::Int(const std::string &name, int min_value) const {
  long long value = 0;
  if (!ParseInteger(Str(name), &value) || value < min_value || value > INT32_MAX) {
    throw UserError("--" + name + " '" + Str(name) + "' must be an integer >= " + std::to_string(min_value));
  }
  return static_cast<int>(value);
}

int RunMain(int (*body)(const Options &), int argc, char **argv, const std::string &usage,
            const std::vector<OptionSpec> &specs) {
  try {
    Options options(argc, argv, usage, specs);
    return options.help_requested() ? 0 : body(options);
  } catch (const UserError &err) {
    std::cerr << "error: " << err.what() << std::endl;
    return 2;
  } catch (const std::exception &err) {
    std::cerr << "error: internal: " << err.what() << std::endl;
    return 1;
  }
}

void RequireFile(const std::string &path, const std::string &what) {
  if (!fs::is_regular_file(path)) throw UserError(path + ": " + what + " not found");
}

std::vector<std::string> ListBinFiles(const std::string &folder) {
  if (!fs::is_directory(folder)) throw UserError(folder + ": no such directory");
  std::vector<std::string> files;
  for (const auto &entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".bin") files.push_back(entry.path().string());
  }
  if (files.empty()) throw UserError(folder + ": contains no .bin files (run preprocess.py first)");
  std::sort(files.begin(), files.end());
  return files;
}

void ReadExactly(const std::string &path, char *dest, size_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open (" + std::strerror(errno) + ")");
  in.read(dest, static_cast<std::streamsize>(size));
  auto got = static_cast<size_t>(in.gcount());
  if (in.bad()) throw UserError(path + ": cannot read (" + std::strerror(errno) + ")");
  if (got != size || in.peek() != std::ifstream::traits_type::eof()) {
    throw UserError(path + ": is not " + std::to_string(size) + " bytes long (it changed while it was read)");
  }
}

void WriteFile(const std::string &path, const void *data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw UserError(path + ": cannot write (" + std::strerror(errno) + ")");
}

void MakeDirs(const std::string &path) {
  std::error_code err;
  fs::create_directories(path, err);
  if (err || !fs::is_directory(path)) throw UserError(path + ": cannot create directory (" + err.message() + ")");
}

std::string BaseName(const std::string &path) { return fs::path(path).filename().string(); }

std::string ShapeString(const std::vector<int64_t> &shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

Latency Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2.0;
  size_t rank = (n * 9 + 9) / 10;  // ceil(0.9 n), 1-based
  return {median, std::accumulate(ms.begin(), ms.end(), 0.0) / n, ms[rank - 1], ms.front()};
}

}  // namespace fsrcnn
