// parse_requested_devices: every way a command line or the environment sets
// CUDA_VISIBLE_DEVICES (and CUDA_DEVICE_ORDER).
#include <catch2/catch.hpp>

#include "sidecar/gpu.h"

using sidecar::DeviceRequest;
using sidecar::parse_requested_devices;
using Env = std::vector<std::pair<std::string, std::string>>;
using Devices = std::vector<std::string>;

namespace {
const Env kPci = {{"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}};
DeviceRequest parse(std::string_view cmd, Env env = kPci) { return parse_requested_devices(cmd, env); }
}  // namespace

TEST_CASE("prefix assignment", "[gpu][devices]") {
  auto r = parse("CUDA_VISIBLE_DEVICES=0,1 python train.py --lr 3e-4");
  CHECK(r.specified);
  CHECK(r.source == "command");
  CHECK(r.devices == Devices{"0", "1"});
  CHECK(r.order_trusted);
  CHECK(r.note.empty());
}

TEST_CASE("no assignment and nothing inherited: not specified", "[gpu][devices]") {
  auto r = parse("python train.py", {});
  CHECK_FALSE(r.specified);
  CHECK(r.devices.empty());
  CHECK(r.source.empty());
}

TEST_CASE("inherited environment", "[gpu][devices]") {
  auto r = parse("python train.py", {{"CUDA_VISIBLE_DEVICES", "3"}, {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}});
  CHECK(r.specified);
  CHECK(r.source == "environment");
  CHECK(r.devices == Devices{"3"});
}

TEST_CASE("command overrides the inherited environment", "[gpu][devices]") {
  auto r = parse("CUDA_VISIBLE_DEVICES=1 python train.py", {{"CUDA_VISIBLE_DEVICES", "3"}});
  CHECK(r.source == "command");
  CHECK(r.devices == Devices{"1"});
}

TEST_CASE("env with other assignments and options", "[gpu][devices]") {
  CHECK(parse("env A=1 CUDA_VISIBLE_DEVICES=2 python x.py").devices == Devices{"2"});
  CHECK(parse("/usr/bin/env -u FOO A=1 CUDA_VISIBLE_DEVICES=2,3 torchrun --nproc_per_node 2 x.py").devices ==
        Devices{"2", "3"});
  // env -i drops the inherited value; only what env sets remains.
  auto cleared = parse("env -i PATH=/usr/bin python x.py", {{"CUDA_VISIBLE_DEVICES", "4"}});
  CHECK_FALSE(cleared.specified);
  auto unset = parse("env -u CUDA_VISIBLE_DEVICES python x.py", {{"CUDA_VISIBLE_DEVICES", "4"}});
  CHECK_FALSE(unset.specified);
}

TEST_CASE("export then &&", "[gpu][devices]") {
  CHECK(parse("export CUDA_VISIBLE_DEVICES=5 && python train.py").devices == Devices{"5"});
  CHECK(parse("export CUDA_VISIBLE_DEVICES=5; python train.py").devices == Devices{"5"});
  CHECK(parse("export A=1 CUDA_VISIBLE_DEVICES=6 && cd /work && python train.py").devices == Devices{"6"});
  CHECK(parse("cd /work\nexport CUDA_VISIBLE_DEVICES=7\npython train.py").devices == Devices{"7"});
  // A bare assignment followed by export NAME.
  CHECK(parse("CUDA_VISIBLE_DEVICES=1; export CUDA_VISIBLE_DEVICES; python train.py").devices == Devices{"1"});
}

TEST_CASE("a bare assignment is not exported unless the variable already was", "[gpu][devices]") {
  CHECK_FALSE(parse("CUDA_VISIBLE_DEVICES=1; python train.py", {}).specified);
  auto r = parse("CUDA_VISIBLE_DEVICES=1; python train.py", {{"CUDA_VISIBLE_DEVICES", "0"}});
  CHECK(r.devices == Devices{"1"});
  CHECK(r.source == "command");
}

TEST_CASE("quoted values", "[gpu][devices]") {
  CHECK(parse("CUDA_VISIBLE_DEVICES=\"0,1\" python train.py").devices == Devices{"0", "1"});
  CHECK(parse("CUDA_VISIBLE_DEVICES='2, 3' python train.py").devices == Devices{"2", "3"});
  CHECK(parse("export CUDA_VISIBLE_DEVICES=\"4\" && python t.py").devices == Devices{"4"});
  CHECK(parse("CUDA_VISIBLE_DEVICES=\"\" python t.py").devices.empty());
  // The value may contain separators inside quotes without ending the command.
  CHECK(parse("CUDA_VISIBLE_DEVICES=1 python -c \"import a; print('x && y')\"").devices == Devices{"1"});
}

TEST_CASE("several assignments: the one that applies to the program wins", "[gpu][devices]") {
  CHECK(parse("export CUDA_VISIBLE_DEVICES=0 && CUDA_VISIBLE_DEVICES=1 python train.py").devices == Devices{"1"});
  CHECK(parse("CUDA_VISIBLE_DEVICES=0 CUDA_VISIBLE_DEVICES=2 python train.py").devices == Devices{"2"});
  CHECK(parse("export CUDA_VISIBLE_DEVICES=0; export CUDA_VISIBLE_DEVICES=3; python t.py").devices == Devices{"3"});
  // A prefix assignment on a helper command does not carry over to the job.
  auto r = parse("CUDA_VISIBLE_DEVICES=0 nvidia-smi && python train.py", {{"CUDA_VISIBLE_DEVICES", "6"}});
  CHECK(r.devices == Devices{"6"});
  CHECK(r.source == "environment");
  // The job followed by a helper (tee, echo): the job's own prefix counts.
  CHECK(parse("CUDA_VISIBLE_DEVICES=4 python train.py 2>&1 | tee log.txt && echo done").devices == Devices{"4"});
  // unset removes it.
  CHECK_FALSE(parse("unset CUDA_VISIBLE_DEVICES; python t.py", {{"CUDA_VISIBLE_DEVICES", "1"}}).specified);
}

TEST_CASE("a command that starts several jobs asks for the GPUs of all of them", "[gpu][devices]") {
  auto r = parse("CUDA_VISIBLE_DEVICES=0 python a.py & CUDA_VISIBLE_DEVICES=1,0 python b.py & wait");
  CHECK(r.devices == Devices{"0", "1"});
  CHECK(r.note.find("several programs") != std::string::npos);
  CHECK(r.value == "0;1,0");
  auto seq = parse("python prep.py && CUDA_VISIBLE_DEVICES=2 python train.py", {{"CUDA_VISIBLE_DEVICES", "3"}});
  CHECK(seq.devices == Devices{"3", "2"});
  CHECK(seq.source == "command");
  // Programs without CUDA_VISIBLE_DEVICES do not widen the request.
  CHECK(parse("python prep.py && CUDA_VISIBLE_DEVICES=2 python train.py", {}).devices == Devices{"2"});
  // Only helpers: the last one counts.
  CHECK(parse("CUDA_VISIBLE_DEVICES=5 nvidia-smi", {}).devices == Devices{"5"});
}

TEST_CASE("variables, wrappers and sh -c", "[gpu][devices]") {
  CHECK(parse("GPUS=2,3; CUDA_VISIBLE_DEVICES=$GPUS python t.py").devices == Devices{"2", "3"});
  CHECK(parse("CUDA_VISIBLE_DEVICES=${MY_GPU} python t.py", {{"MY_GPU", "5"}}).devices == Devices{"5"});
  CHECK(parse("nohup env CUDA_VISIBLE_DEVICES=1 python t.py > out.log 2>&1 &").devices == Devices{"1"});
  CHECK(parse("bash -c 'export CUDA_VISIBLE_DEVICES=3 && python t.py'").devices == Devices{"3"});
  CHECK(parse("sudo CUDA_VISIBLE_DEVICES=2 python t.py").devices == Devices{"2"});
  auto r = parse("CUDA_VISIBLE_DEVICES=$(pick_gpu) python t.py");
  CHECK(r.specified);
  CHECK(r.devices.empty());
  CHECK(r.note.find("computed by the shell") != std::string::npos);
}

TEST_CASE("indices, GPU and MIG UUIDs", "[gpu][devices]") {
  auto r = parse(
      "CUDA_VISIBLE_DEVICES=GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77,MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f "
      "python t.py",
      {});
  CHECK(r.devices == Devices{"GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77", "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"});
  CHECK(r.order_trusted);  // UUIDs do not depend on the device order
  CHECK(parse("CUDA_VISIBLE_DEVICES=01 python t.py").devices == Devices{"1"});
}

TEST_CASE("empty, -1 and NoDevFiles request no GPU", "[gpu][devices]") {
  for (const char* v : {"", "-1", "NoDevFiles", "  "}) {
    auto r = parse(std::string("CUDA_VISIBLE_DEVICES='") + v + "' python t.py");
    INFO(v);
    CHECK(r.specified);
    CHECK(r.devices.empty());
    CHECK(r.note.empty());
  }
  CHECK(parse("python t.py", {{"CUDA_VISIBLE_DEVICES", ""}}).devices.empty());
  CHECK(parse("python t.py", {{"CUDA_VISIBLE_DEVICES", ""}}).specified);
}

TEST_CASE("the list ends at the first invalid entry, as CUDA reads it", "[gpu][devices]") {
  auto r = parse("CUDA_VISIBLE_DEVICES=0,2,-1,3 python t.py");
  CHECK(r.devices == Devices{"0", "2"});
  CHECK(r.note.find("'-1'") != std::string::npos);
  auto bad = parse("CUDA_VISIBLE_DEVICES=1,gpu3 python t.py");
  CHECK(bad.devices == Devices{"1"});
  CHECK(bad.note.find("gpu3") != std::string::npos);
  CHECK(parse("CUDA_VISIBLE_DEVICES=1,,2 python t.py").devices == Devices{"1"});
}

TEST_CASE("duplicates removed, order kept", "[gpu][devices]") {
  auto r = parse("CUDA_VISIBLE_DEVICES=3,1,3,0,1 python t.py");
  CHECK(r.devices == Devices{"3", "1", "0"});
  CHECK(r.note.find("more than once") != std::string::npos);
}

TEST_CASE("CUDA_DEVICE_ORDER decides whether indices are trustworthy", "[gpu][devices]") {
  auto untrusted = parse("CUDA_VISIBLE_DEVICES=0 python t.py", {});
  CHECK_FALSE(untrusted.order_trusted);
  CHECK(untrusted.note.find("PCI_BUS_ID") != std::string::npos);
  CHECK(parse("CUDA_DEVICE_ORDER=PCI_BUS_ID CUDA_VISIBLE_DEVICES=0 python t.py", {}).order_trusted);
  CHECK(parse("export CUDA_DEVICE_ORDER=PCI_BUS_ID && CUDA_VISIBLE_DEVICES=0 python t.py", {}).order_trusted);
  CHECK_FALSE(parse("CUDA_DEVICE_ORDER=FASTEST_FIRST CUDA_VISIBLE_DEVICES=0 python t.py", {}).order_trusted);
}

TEST_CASE("hostile input never crashes", "[gpu][devices]") {
  for (const char* cmd : {"",   "'",   "\"",     "$(",     "${",      "`",       "A=",
                          "=",  "env", "env -u", "export", "sudo -u", "bash -c", "CUDA_VISIBLE_DEVICES=\"unterminated",
                          "2>", ">",   "&&&&",   "(((",    "\\",      "$",       "a=$(b"}) {
    INFO(cmd);
    (void)parse(cmd);
  }
  std::string deep;
  for (int i = 0; i < 20; ++i) deep = "bash -c '" + deep + "'";
  (void)parse(deep);
}

TEST_CASE("generated commands stay cheap: values, variables and commands are bounded", "[gpu][devices]") {
  // Each `A=$A$A$A$A` quadruples A: unbounded, 14 of them need 4 GiB (a fuzzer found it).
  std::string doubling = "A=xxxxxxxxxxxxxxxx;";
  for (int i = 0; i < 14; ++i) doubling += "A=$A$A$A$A;";
  auto big = parse(doubling + "CUDA_VISIBLE_DEVICES=$A python t.py");
  CHECK(big.devices.empty());
  CHECK(big.note.find("longer than 4096 bytes") != std::string::npos);

  // Thousands of commands after thousands of exports: followed up to a bound, and said so.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "export V" + std::to_string(i) + "=x;";
  for (int i = 0; i < 3000; ++i) many += "p;";
  auto cut = parse(many);
  CHECK(cut.note.find("more than 1000 simple commands") != std::string::npos);

  // The bounds never cost a real request: GPU variables are kept past the variable bound.
  std::string vars;
  for (int i = 0; i < 1100; ++i) vars += "V" + std::to_string(i) + "=x ";
  CHECK(parse(vars + "CUDA_VISIBLE_DEVICES=2 python t.py").devices == Devices{"2"});
}
