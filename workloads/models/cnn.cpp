// Convolutional networks of the zoo, layer for layer as torchvision defines them (so that
// parameter and MAC counts equal PyTorch's: tests/python/compare_torch.py), plus two small
// networks for 28×28 Fashion-MNIST images. Specs: NAME or NAME:HxW (input height and width).
//
//   lenet5        LeCun et al. 1998, 1×28×28 (first convolution padded by 2), tanh, average pooling
//   cnn-fmnist    conv3x3(32)-relu-maxpool-conv3x3(64)-relu-maxpool-fc128-relu-fc10, 1×28×28
//   alexnet       torchvision.models.alexnet (Krizhevsky et al. 2012, one-GPU variant), 3×224×224
//   vgg16         torchvision.models.vgg16 (Simonyan & Zisserman 2015, configuration D)
//   resnet18/50   torchvision.models.resnet18/50 (He et al. 2016; v1.5: stride in the 3×3 conv)
//   mobilenet_v2  torchvision.models.mobilenet_v2 (Sandler et al. 2018), width 1.0

#include <cctype>
#include <cmath>
#include <string>
#include <vector>

#include "results/core/error.h"
#include "workloads/model_registry.h"
#include "workloads/net_builder.h"

namespace frugal::workloads {
namespace {

struct ImageSize {
  int64_t h, w;
};

// "" -> the default; "HxW" -> that size. Throws InputError naming the spec otherwise.
ImageSize parse_size(const std::string& spec, const std::string& arguments, ImageSize fallback) {
  if (arguments.empty()) return fallback;
  const auto x = arguments.find('x');
  auto number = [&](const std::string& text) {
    if (text.empty() || text.size() > 6 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoll(text) == 0)
      throw InputError("model spec '" + spec +
                       "': expected an input size HxW of positive integers " + "(e.g. " +
                       spec.substr(0, spec.find(':')) + ":224x224)");
    return std::stoll(text);
  };
  if (x == std::string::npos) number("");
  return {number(arguments.substr(0, x)), number(arguments.substr(x + 1))};
}

Value conv_bn(NetBuilder& net, const Value& x, const ConvParams& c, const std::string& name,
              const std::string& activation) {
  Value y = net.conv2d(x, c, name);
  y = net.batch_norm(y, name + ".bn");
  if (!activation.empty()) y = net.activation(y, activation, name + "." + activation);
  return y;
}

// ---- small networks for 28×28 images --------------------------------------------------------

// lenet5[:relu][:HxW]: ReLU in place of tanh (what a spiking conversion needs).
Graph build_lenet5(const std::string& spec, const std::string& args, const BuildOptions& o) {
  const bool relu = args == "relu" || args.rfind("relu:", 0) == 0;
  const std::string f = relu ? "relu" : "tanh";
  const ImageSize s =
      parse_size(spec, relu ? args.substr(std::min<size_t>(5, args.size())) : args, {28, 28});
  NetBuilder net(spec, o);
  Value x = net.input({1, s.h, s.w});
  x = net.activation(net.conv2d(x, ConvParams::square(6, 5, 1, 2), "c1"), f, "c1." + f);
  x = net.avg_pool(x, PoolParams::square(2, 2), "s2");
  x = net.activation(net.conv2d(x, ConvParams::square(16, 5), "c3"), f, "c3." + f);
  x = net.avg_pool(x, PoolParams::square(2, 2), "s4");
  x = net.flatten(x);
  x = net.activation(net.dense(x, 120, "f5"), f, "f5." + f);
  x = net.activation(net.dense(x, 84, "f6"), f, "f6." + f);
  return net.finish(net.dense(x, 10, "f7"));
}

Graph build_cnn_fmnist(const std::string& spec, const std::string& args, const BuildOptions& o) {
  const ImageSize s = parse_size(spec, args, {28, 28});
  NetBuilder net(spec, o);
  Value x = net.input({1, s.h, s.w});
  x = net.activation(net.conv2d(x, ConvParams::square(32, 3, 1, 1), "conv1"), "relu", "conv1.relu");
  x = net.max_pool(x, PoolParams::square(2, 2), "pool1");
  x = net.activation(net.conv2d(x, ConvParams::square(64, 3, 1, 1), "conv2"), "relu", "conv2.relu");
  x = net.max_pool(x, PoolParams::square(2, 2), "pool2");
  x = net.flatten(x);
  x = net.activation(net.dense(x, 128, "fc1"), "relu", "fc1.relu");
  return net.finish(net.dense(x, 10, "fc2"));
}

// ---- torchvision models ---------------------------------------------------------------------

// AlexNet's and VGG's head: adaptive average pooling to size×size, then three fully connected
// layers (4096, 4096, 1000) with ReLU between them (dropout costs nothing here).
Graph classifier(NetBuilder& net, Value x, int64_t size) {
  x = net.flatten(net.adaptive_avg_pool(x, size, size, "avgpool"));
  x = net.activation(net.dense(x, 4096, "classifier.fc1"), "relu", "classifier.fc1.relu");
  x = net.activation(net.dense(x, 4096, "classifier.fc2"), "relu", "classifier.fc2.relu");
  return net.finish(net.dense(x, 1000, "classifier.fc3"));
}

Graph build_alexnet(const std::string& spec, const std::string& args, const BuildOptions& o) {
  const ImageSize s = parse_size(spec, args, {224, 224});
  NetBuilder net(spec, o);
  Value x = net.input({3, s.h, s.w});
  struct Conv {
    int64_t out, k, stride, pad;
    bool pool;
  };
  const std::vector<Conv> convs = {{64, 11, 4, 2, true},
                                   {192, 5, 1, 2, true},
                                   {384, 3, 1, 1, false},
                                   {256, 3, 1, 1, false},
                                   {256, 3, 1, 1, true}};
  for (size_t i = 0; i < convs.size(); ++i) {
    const std::string name = "features.conv" + std::to_string(i + 1);
    const Conv& c = convs[i];
    x = net.activation(net.conv2d(x, ConvParams::square(c.out, c.k, c.stride, c.pad), name), "relu",
                       name + ".relu");
    if (c.pool) x = net.max_pool(x, PoolParams::square(3, 2), name + ".pool");
  }
  return classifier(net, x, 6);
}

Graph build_vgg16(const std::string& spec, const std::string& args, const BuildOptions& o) {
  const ImageSize s = parse_size(spec, args, {224, 224});
  NetBuilder net(spec, o);
  Value x = net.input({3, s.h, s.w});
  const std::vector<int64_t> config = {64, 64,  0,   128, 128, 0,   256, 256, 256,
                                       0,  512, 512, 512, 0,   512, 512, 512, 0};  // 0: max pool
  int conv = 0, pool = 0;
  for (int64_t c : config) {
    if (c == 0) {
      x = net.max_pool(x, PoolParams::square(2, 2), "features.pool" + std::to_string(++pool));
      continue;
    }
    const std::string name = "features.conv" + std::to_string(++conv);
    x = net.activation(net.conv2d(x, ConvParams::square(c, 3, 1, 1), name), "relu", name + ".relu");
  }
  return classifier(net, x, 7);
}

Graph build_resnet(const std::string& spec, const std::string& args, const BuildOptions& o,
                   bool bottleneck, const std::vector<int>& blocks) {
  const ImageSize s = parse_size(spec, args, {224, 224});
  const int64_t expansion = bottleneck ? 4 : 1;
  NetBuilder net(spec, o);
  Value x = net.input({3, s.h, s.w});
  x = conv_bn(net, x, ConvParams::square(64, 7, 2, 3, false), "conv1", "relu");
  x = net.max_pool(x, PoolParams::square(3, 2, 1), "maxpool");
  int64_t in = 64;
  for (size_t stage = 0; stage < blocks.size(); ++stage) {
    const int64_t planes = 64 << stage;
    for (int b = 0; b < blocks[stage]; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(b);
      Value y = x;
      if (bottleneck) {
        y = conv_bn(net, y, ConvParams::square(planes, 1, 1, 0, false), name + ".conv1", "relu");
        y = conv_bn(net, y, ConvParams::square(planes, 3, stride, 1, false), name + ".conv2",
                    "relu");
        y = conv_bn(net, y, ConvParams::square(planes * 4, 1, 1, 0, false), name + ".conv3", "");
      } else {
        y = conv_bn(net, y, ConvParams::square(planes, 3, stride, 1, false), name + ".conv1",
                    "relu");
        y = conv_bn(net, y, ConvParams::square(planes, 3, 1, 1, false), name + ".conv2", "");
      }
      Value identity = x;
      if (stride != 1 || in != planes * expansion)
        identity = conv_bn(net, x, ConvParams::square(planes * expansion, 1, stride, 0, false),
                           name + ".downsample", "");
      x = net.activation(net.add(y, identity, name + ".add"), "relu", name + ".relu");
      in = planes * expansion;
    }
  }
  x = net.flatten(net.global_avg_pool(x, "avgpool"));
  return net.finish(net.dense(x, 1000, "fc"));
}

Graph build_resnet18(const std::string& spec, const std::string& args, const BuildOptions& o) {
  return build_resnet(spec, args, o, false, {2, 2, 2, 2});
}

Graph build_resnet50(const std::string& spec, const std::string& args, const BuildOptions& o) {
  return build_resnet(spec, args, o, true, {3, 4, 6, 3});
}

Graph build_mobilenet_v2(const std::string& spec, const std::string& args, const BuildOptions& o) {
  const ImageSize s = parse_size(spec, args, {224, 224});
  NetBuilder net(spec, o);
  Value x = net.input({3, s.h, s.w});
  x = conv_bn(net, x, ConvParams::square(32, 3, 2, 1, false), "features.0", "relu6");
  struct Stage {
    int64_t t, c, n, s;  // expansion, output channels, repeats, first stride
  };
  const std::vector<Stage> stages = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                     {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t in = 32;
  int block = 1;
  for (const Stage& st : stages) {
    for (int64_t i = 0; i < st.n; ++i, ++block) {
      const int64_t stride = i == 0 ? st.s : 1;
      const int64_t hidden = static_cast<int64_t>(std::lround(static_cast<double>(in * st.t)));
      const std::string name = "features." + std::to_string(block);
      Value y = x;
      if (st.t != 1)
        y = conv_bn(net, y, ConvParams::square(hidden, 1, 1, 0, false), name + ".expand", "relu6");
      y = conv_bn(net, y, ConvParams::square(hidden, 3, stride, 1, false, hidden),
                  name + ".depthwise", "relu6");
      y = conv_bn(net, y, ConvParams::square(st.c, 1, 1, 0, false), name + ".project", "");
      x = (stride == 1 && in == st.c) ? net.add(x, y, name + ".add") : y;
      in = st.c;
    }
  }
  x = conv_bn(net, x, ConvParams::square(1280, 1, 1, 0, false), "features.18", "relu6");
  x = net.flatten(net.global_avg_pool(x, "avgpool"));
  return net.finish(net.dense(x, 1000, "classifier"));
}

}  // namespace
}  // namespace frugal::workloads

FRUGAL_REGISTER_MODEL_FAMILY(lenet5, {"lenet5", "lenet5[:relu][:HxW]", "lenet5",
                                      "LeNet-5 for 1x28x28 images (tanh, or relu; average "
                                      "pooling), 10 classes",
                                      frugal::workloads::build_lenet5})
FRUGAL_REGISTER_MODEL_FAMILY(cnn_fmnist,
                             {"cnn-fmnist", "cnn-fmnist[:HxW]", "cnn-fmnist",
                              "two conv3x3 + max-pool layers (32, 64 channels) and a 128-unit "
                              "classifier for 1x28x28 images, 10 classes",
                              frugal::workloads::build_cnn_fmnist})
FRUGAL_REGISTER_MODEL_FAMILY(alexnet, {"alexnet", "alexnet[:HxW]", "alexnet",
                                       "AlexNet as torchvision defines it, 3x224x224, 1000 classes",
                                       frugal::workloads::build_alexnet})
FRUGAL_REGISTER_MODEL_FAMILY(vgg16, {"vgg16", "vgg16[:HxW]", "vgg16",
                                     "VGG-16 (configuration D, no batch norm) as in torchvision",
                                     frugal::workloads::build_vgg16})
FRUGAL_REGISTER_MODEL_FAMILY(resnet18, {"resnet18", "resnet18[:HxW]", "resnet18",
                                        "ResNet-18 as in torchvision (basic blocks, batch norm)",
                                        frugal::workloads::build_resnet18})
FRUGAL_REGISTER_MODEL_FAMILY(resnet50, {"resnet50", "resnet50[:HxW]", "resnet50",
                                        "ResNet-50 v1.5 as in torchvision (bottleneck blocks)",
                                        frugal::workloads::build_resnet50})
FRUGAL_REGISTER_MODEL_FAMILY(mobilenet_v2,
                             {"mobilenet_v2", "mobilenet_v2[:HxW]", "mobilenet_v2",
                              "MobileNetV2 (width 1.0) as in torchvision: inverted residuals, "
                              "depthwise convolutions, ReLU6",
                              frugal::workloads::build_mobilenet_v2})
