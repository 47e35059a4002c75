/**
 * fsrcnn_infer: serve an exported network (FSRCNN, FMEN) with the MindSpore C++ inference API (mindspore::Model)
 * and time it.
 *
 * Reads every .bin file of --input_dir: one float32 LR image in [0, 1] each, C x H x W row-major with C the model's
 * input channels (1: luma, 3: RGB), named NAME_HxW.bin (as preprocess.py writes them) or NAME.bin when it has the
 * model's own height and width. Consecutive planes of
 * one shape are run in batches of --batch_size (the model is resized to each shape; a last, partial batch is
 * completed with zeros) and each output plane is written to --output_dir/NAME.bin. Then --warmup untimed and
 * --iters timed Predict calls cycle through the batches (resizing between calls, untimed, when shapes differ); the
 * median, mean, p90 and min milliseconds per call and the images per second at the median are printed.
 * User errors are one line "error: ..." on stderr and exit code 2.
 */
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "include/api/context.h"
#include "include/api/model.h"
#include "include/api/status.h"
#include "include/api/types.h"
#include "utils.h"

using mindspore::MSTensor;

namespace fsrcnn {
namespace {

const char kUsage[] =
    "fsrcnn_infer --model_path MODEL --input_dir DIR --output_dir DIR [options]\n"
    "Runs an exported FSRCNN on the .bin files of DIR (preprocess.py), writes the outputs and times the model.";

const char kLiteDefault[] = "lite_default";  // --precision_mode: leave Lite's own
// The precision modes of Lite's AscendDeviceInfo::SetPrecisionMode (include/api/context.h), then kLiteDefault.
const std::vector<std::string> kPrecisionModes = {"enforce_fp32", "preferred_fp32", "enforce_fp16", "enforce_origin",
                                                  "preferred_optimal"};
const std::string kPrecisionChoices = [] {
  std::string joined;
  for (const auto &mode : kPrecisionModes) joined += mode + ", ";
  return joined + kLiteDefault;
}();

const std::vector<OptionSpec> kSpecs = {
    {"model_path", "", "MindIR model: the exported one on Ascend, the converted one (convert_model) on CPU"},
    {"input_dir", "", "folder of .bin inputs: NAME_HxW.bin, one float32 plane each"},
    {"output_dir", "", "folder for the output planes NAME.bin (created)"},
    {"device", "CPU", "CPU, Ascend or Ascend310"},
    {"device_id", "0", "Ascend device index"},
    {"batch_size", "1", "planes per Predict call"},
    {"warmup", "100", "untimed Predict calls before timing"},
    {"iters", "1000", "timed Predict calls (0: write the outputs only)"},
    {"threads", "0", "CPU threads (0: all hardware threads)"},
    {"precision_mode", kLiteDefault,
     "Ascend: Lite's precision mode, one of " + kPrecisionChoices + " (" + kLiteDefault + ": Lite's own, float16)"},
};


struct Plane {
  std::string path, name;  // name: the output's file name without .bin
  int64_t channels, height, width;
};

struct Batch {
  std::vector<int64_t> shape;  // N,C,H,W the model runs it at
  std::vector<Plane> planes;
  std::vector<MSTensor> inputs;  // the planes, then zeros up to N, as the model's one input
};

std::shared_ptr<mindspore::Context> MakeContext(const Options &options) {
  auto context = std::make_shared<mindspore::Context>();
  const std::string &device = options.Str("device");
  const std::string &precision = options.Str("precision_mode");
  const bool set_precision = precision != kLiteDefault;
  if (set_precision && std::find(kPrecisionModes.begin(), kPrecisionModes.end(), precision) == kPrecisionModes.end()) {
    throw UserError("--precision_mode '" + precision + "' is not one of " + kPrecisionChoices);
  }
  if (set_precision && device == "CPU") {
    throw UserError("--precision_mode is an Ascend option (CPU runs in float32): drop it");
  }
  if (device == "CPU") {
    int threads = options.Int("threads", 0);
    context->SetThreadNum(threads ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    context->MutableDeviceInfo().push_back(std::make_shared<mindspore::CPUDeviceInfo>());
  } else if (device == "Ascend" || device == "Ascend310") {
    auto ascend = std::make_shared<mindspore::AscendDeviceInfo>();
    ascend->SetDeviceID(static_cast<uint32_t>(options.Int("device_id", 0)));
    // Lite converts the model to float16 on Ascend unless told otherwise (docs/serving.md); the 310's cube unit
    // computes convolutions in float16 in any case.
    if (set_precision) ascend->SetPrecisionMode(precision);
    context->MutableDeviceInfo().push_back(ascend);
  } else {
    throw UserError("--device '" + device + "' is not one of CPU, Ascend, Ascend310");
  }
  return context;
}

// Height and width a plane may have: far above any image, and small enough that C x H x W x 4 bytes (C at most
// kMaxChannels) cannot overflow. The shape comes from a file name or the model, neither of which is trusted.
constexpr int64_t kMaxSide = 1 << 16;
constexpr int64_t kMaxChannels = 64;

// A side as stated by a file name (digits only, from the regex) or the model, checked against 1..kMaxSide.
int64_t Side(const std::string &path, const std::string &what, const std::string &digits) {
  int64_t value = digits.size() <= 6 ? std::stoll(digits) : kMaxSide + 1;  // 6 digits cannot overflow stoll
  if (value < 1 || value > kMaxSide) {
    throw UserError(path + ": " + what + " " + digits + " is not 1.." + std::to_string(kMaxSide));
  }
  return value;
}

// Bytes of a float32 C x H x W plane of checked sides; the product is checked as well.
size_t PlaneBytes(int64_t channels, int64_t height, int64_t width) {
  uint64_t bytes = 0;
  if (channels < 1 || channels > kMaxChannels || height < 1 || height > kMaxSide || width < 1 || width > kMaxSide ||
      __builtin_mul_overflow(static_cast<uint64_t>(channels) * static_cast<uint64_t>(height),
                             static_cast<uint64_t>(width) * sizeof(float), &bytes) ||
      bytes > SIZE_MAX) {
    throw UserError("a " + std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width) +
                    " float32 plane is too large");
  }
  return static_cast<size_t>(bytes);
}

// "NAME_HxW.bin" gives NAME and its shape; a plain "NAME.bin" has the model's height and width. The file must
// hold exactly that float32 C x H x W image, C the model's channels.
Plane Describe(const std::string &path, const std::vector<int64_t> &model_shape) {
  static const std::regex kShaped("(.+)_([0-9]+)x([0-9]+)\\.bin");
  std::smatch match;
  std::string file = BaseName(path);
  const int64_t channels = model_shape[1];
  Plane plane{path, file.substr(0, file.size() - 4), channels, model_shape[2], model_shape[3]};
  if (std::regex_match(file, match, kShaped)) {
    plane = {path, match[1], channels, Side(path, "height", match[2]), Side(path, "width", match[3])};
  } else if (plane.height < 1 || plane.width < 1) {
    throw UserError(path + ": the model's input height and width are dynamic, so the file name must give its "
                    "shape (NAME_HxW.bin, as preprocess.py writes)");
  } else if (plane.height > kMaxSide || plane.width > kMaxSide) {
    throw UserError(path + ": the model's input " + ShapeString(model_shape) + " is larger than " +
                    std::to_string(kMaxSide) + " pixels a side");
  }
  size_t expected = PlaneBytes(channels, plane.height, plane.width);
  size_t size = std::filesystem::file_size(path);
  if (size != expected) {
    throw UserError(path + ": " + std::to_string(size) + " bytes, but a " + std::to_string(channels) + "x" +
                    std::to_string(plane.height) + "x" + std::to_string(plane.width) + " float32 input is " +
                    std::to_string(expected) +
                    " bytes (the model's input is " + ShapeString(model_shape) + ")");
  }
  return plane;
}

// Consecutive planes of one shape, at most batch_size per batch, read into the model's input tensors.
std::vector<Batch> MakeBatches(const std::vector<Plane> &planes, int64_t batch_size, const MSTensor &model_input) {
  std::vector<Batch> batches;
  for (const auto &plane : planes) {
    std::vector<int64_t> shape = {batch_size, plane.channels, plane.height, plane.width};
    if (batches.empty() || batches.back().shape != shape ||
        static_cast<int64_t>(batches.back().planes.size()) == batch_size) {
      batches.push_back({shape, {}, {}});
    }
    batches.back().planes.push_back(plane);
  }
  for (auto &batch : batches) {
    size_t plane_bytes = PlaneBytes(batch.shape[1], batch.shape[2], batch.shape[3]);
    size_t batch_bytes = 0;
    if (__builtin_mul_overflow(plane_bytes, static_cast<size_t>(batch_size), &batch_bytes)) {
      throw UserError("--batch_size " + std::to_string(batch_size) + " planes of " + std::to_string(plane_bytes) +
                      " bytes do not fit in memory");
    }
    std::vector<char> data(batch_bytes, 0);
    for (size_t i = 0; i < batch.planes.size(); ++i) {  // exactly one plane each, even if a file changed since
      ReadExactly(batch.planes[i].path, data.data() + i * plane_bytes, plane_bytes);
    }
    batch.inputs.emplace_back(model_input.Name(), model_input.DataType(), batch.shape, data.data(), data.size());
  }
  return batches;
}

// Resizes the model to the batch's shape when it runs another one; its old outputs are then of the wrong shape.
void Prepare(mindspore::Model *model, const Batch &batch, std::vector<MSTensor> *outputs,
             const std::string &model_path) {
  auto inputs = model->GetInputs();
  if (inputs[0].Shape() == batch.shape) return;
  auto status = model->Resize(inputs, {batch.shape});
  if (!status.IsOk()) {
    throw UserError(model_path + ": cannot run input " + ShapeString(batch.shape) + " (" + status.ToString() +
                    "); a static model needs inputs of the shape it was exported at (preprocess.py --pad_to)");
  }
  outputs->clear();
}

// One Predict call; returns its milliseconds.
double Predict(mindspore::Model *model, const std::vector<MSTensor> &inputs, std::vector<MSTensor> *outputs) {
  auto start = std::chrono::steady_clock::now();
  auto status = model->Predict(inputs, outputs);
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  if (!status.IsOk()) throw std::runtime_error("Predict failed: " + status.ToString());
  return elapsed.count();
}

int Run(const Options &options) {
  const std::string &model_path = options.Str("model_path");
  const std::string &output_dir = options.Str("output_dir");
  RequireFile(model_path, "model file");
  auto files = ListBinFiles(options.Str("input_dir"));
  int batch_size = options.Int("batch_size", 1);
  int warmup = options.Int("warmup", 0);
  int iters = options.Int("iters", 0);
  auto context = MakeContext(options);

  mindspore::Model model;
  auto status = model.Build(model_path, mindspore::ModelType::kMindIR, context);
  if (!status.IsOk()) throw UserError(model_path + ": cannot load the model (" + status.ToString() + ")");
  auto inputs = model.GetInputs();
  auto model_shape = inputs.empty() ? std::vector<int64_t>() : inputs[0].Shape();
  if (inputs.size() != 1 || model_shape.size() != 4 || model_shape[1] < 1 || model_shape[1] > kMaxChannels ||
      inputs[0].DataType() != mindspore::DataType::kNumberTypeFloat32) {
    throw UserError(model_path + ": expected one float32 input of shape N,C,H,W");
  }
  std::vector<Plane> planes;
  std::set<std::string> shapes;
  for (const auto &file : files) {
    planes.push_back(Describe(file, model_shape));
    shapes.insert(std::to_string(planes.back().height) + "x" + std::to_string(planes.back().width));
  }
  auto batches = MakeBatches(planes, batch_size, inputs[0]);

  MakeDirs(output_dir);
  std::vector<MSTensor> outputs;
  for (const auto &batch : batches) {
    Prepare(&model, batch, &outputs, model_path);
    Predict(&model, batch.inputs, &outputs);
    size_t plane_bytes = outputs[0].DataSize() / static_cast<size_t>(batch_size);
    const auto *data = static_cast<const char *>(outputs[0].Data().get());
    for (size_t i = 0; i < batch.planes.size(); ++i) {
      WriteFile(output_dir + "/" + batch.planes[i].name + ".bin", data + i * plane_bytes, plane_bytes);
    }
  }
  std::printf("model    %s on %s, exported input %s\n", model_path.c_str(), options.Str("device").c_str(),
              ShapeString(model_shape).c_str());
  std::printf("inputs   %zu planes (%zu shape%s) in %zu batch%s of %d\n", planes.size(), shapes.size(),
              shapes.size() > 1 ? "s" : "", batches.size(), batches.size() > 1 ? "es" : "", batch_size);
  std::printf("wrote    %zu outputs to %s\n", planes.size(), output_dir.c_str());
  if (iters == 0) return 0;

  std::vector<double> times;
  for (int i = 0; i < warmup + iters; ++i) {
    const auto &batch = batches[i % batches.size()];
    Prepare(&model, batch, &outputs, model_path);
    double ms = Predict(&model, batch.inputs, &outputs);
    if (i >= warmup) times.push_back(ms);
  }
  auto latency = Summarize(times);
  std::printf("latency  ms per Predict (%d warm-up, %d timed): median %.3f mean %.3f p90 %.3f min %.3f\n", warmup,
              iters, latency.median, latency.mean, latency.p90, latency.min);
  // Zeros completing a partial batch are no images: count the planes each call carries on average.
  double per_call = static_cast<double>(planes.size()) / static_cast<double>(batches.size());
  std::printf("speed    %.2f images/s at the median\n", 1000.0 * per_call / latency.median);
  return 0;
}

}  // namespace
}  // namespace fsrcnn

int main(int argc, char **argv) { return fsrcnn::RunMain(fsrcnn::Run, argc, argv, fsrcnn::kUsage, fsrcnn::kSpecs); }
