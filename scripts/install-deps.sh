#!/bin/sh
# Installs the Debian packages ptoref's build, tests and demo need, if any are missing.
# Everything comes from Debian's archive; nothing is downloaded at build time.
set -eu
# Extra packages may be named on the command line (CI adds clang-14).
packages="cmake make g++ libxtensor-dev xtl-dev libxsimd-dev catch2 libgtest-dev pybind11-dev python3-dev python3-numpy python3-pytest python3-torch $*"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
