/**
 * The part of MindSpore Lite 2.0's model converter (mindspore::Converter, in lib/libmindspore_converter.so) that
 * convert_model uses.
 *
 * The PyPI package of Lite 2.0 ships the library but not its header (include/converter.h of the Lite tarball), so
 * this declares the ABI the library exports: the std::vector<char> ("dual ABI") signatures and the one data member.
 */
#ifndef FSRCNN_INFER_LITE_CONVERTER_H_
#define FSRCNN_INFER_LITE_CONVERTER_H_

#include <memory>
#include <vector>

#include "include/api/status.h"
#include "include/api/types.h"
#include "include/registry/converter_context.h"

namespace mindspore {
struct ConverterPara;

class MS_API Converter {
 public:
  Converter(converter::FmkType fmk_type, const std::vector<char> &model_file, const std::vector<char> &output_file,
            const std::vector<char> &weight_file);
  void SetSaveType(ModelType save_type);
  Status Convert();

 private:
  std::shared_ptr<ConverterPara> data_;
};
}  // namespace mindspore

#endif  // FSRCNN_INFER_LITE_CONVERTER_H_
