# Sourced by the set-up scripts: installs Debian packages that are missing
# (idempotent; apt-get update runs only when something must be installed).
# Usage: sidecar_install_packages pkg...
sidecar_install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "sidecar: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What building libsidecar and sidecar-cli needs.
SIDECAR_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config libsimdjson-dev libfmt-dev libyaml-cpp-dev
  libre2-dev libvectorscan-dev libcurl4-openssl-dev libprotobuf-dev protobuf-compiler libcpp-httplib-dev python3)
# What the full test suite needs on top (bindings, pytest, sanitizers, fuzzing,
# formatting, a real Alertmanager, the torch example).
SIDECAR_TEST_PACKAGES=(pybind11-dev python3-dev python3-pytest python3-numpy python3-venv python3-pip
  catch2 clang clang-format libclang-rt-14-dev python3-protobuf prometheus-alertmanager python3-torch git
  # the real research-agent server (../shared/research-agent) for tests/*/test_server_interop.py
  python3-fastapi python3-uvicorn python3-httpx python3-pydantic python3-requests python3-yaml python3-libtmux
  # the report's headless-browser test; the Prometheus exposition checks
  chromium python3-prometheus-client prometheus)
