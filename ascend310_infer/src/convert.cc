/**
 * convert_model: ONNX -> MindIR with MindSpore Lite's own converter, so that Lite's runtime can load the model.
 *
 * MindSpore Lite 2.0 refuses the MindIR files MindSpore 2.10 writes (MindIR version 3, Lite reads up to 1), but runs
 * the repaired ONNX export (export.py --file_format ONNX) once its converter has turned it into a MindIR of its own.
 */
#include <filesystem>
#include <iostream>
#include <string>

#include "lite_converter.h"
#include "utils.h"

namespace fsrcnn {
namespace {

const char kUsage[] =
    "convert_model --onnx_path MODEL.onnx --output_file NAME\n"
    "Converts an ONNX model (export.py --file_format ONNX) to NAME.mindir for MindSpore Lite's runtime.";

const std::vector<OptionSpec> kSpecs = {
    {"onnx_path", "", "ONNX model to convert"},
    {"output_file", "", "output name; the converter appends .mindir"},
};

std::vector<char> Chars(const std::string &text) { return std::vector<char>(text.begin(), text.end()); }

int Run(const Options &options) {
  const std::string &onnx_path = options.Str("onnx_path");
  const std::string &output = options.Str("output_file");
  RequireFile(onnx_path, "ONNX model");
  mindspore::Converter converter(mindspore::converter::kFmkTypeOnnx, Chars(onnx_path), Chars(output), Chars(""));
  converter.SetSaveType(mindspore::ModelType::kMindIR);
  auto status = converter.Convert();
  if (!status.IsOk()) throw UserError(onnx_path + ": conversion failed (" + status.ToString() + ")");
  // The converter leaves its file owner-read-only; make it readable like the project's other exports.
  std::filesystem::permissions(output + ".mindir", std::filesystem::perms(0644));
  std::cout << "wrote " << output << ".mindir" << std::endl;
  return 0;
}

}  // namespace
}  // namespace fsrcnn

int main(int argc, char **argv) { return fsrcnn::RunMain(fsrcnn::Run, argc, argv, fsrcnn::kUsage, fsrcnn::kSpecs); }
