#!/usr/bin/env bash
# Runs Vigil's whole test suite on a fresh Debian 12 machine with the .NET 10 SDK.
# Installs what the tests need first: Debian's chromium and chromium-driver (browser tests), kcat and python3-kafka
# (interop tests), python3-confluent-kafka with python3-avro and python3-requests (Avro interop) and python3-onnx
# (the ONNX reference checker) and postgresql (a real server for the database tests, started and stopped by them) with
# apt-get when run as root (librdkafka itself comes bundled with the NuGet packages),
# and the NuGet packages (dotnet restore). Prints dotnet test's Passed!/Failed! line per test assembly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

packages=(chromium chromium-driver kcat python3-kafka python3-onnx python3-confluent-kafka python3-avro python3-requests postgresql)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} > 0 )); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: the browser tests need ${missing[*]}: run 'sudo apt-get install ${missing[*]}' or run ./test.sh as root" >&2
    exit 1
  fi
fi

dotnet restore Vigil.sln --nologo
dotnet build Vigil.sln -c Release --no-restore --nologo -clp:ErrorsOnly
dotnet test Vigil.sln -c Release --no-build --nologo "$@"
