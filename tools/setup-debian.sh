#!/bin/sh
# Installs what linemgr needs to build and test on Debian 12 (bookworm). Safe to run again.
set -eu
packages="cmake ninja-build g++ pkg-config python3 python3-yaml zsh curl libcli11-dev rapidjson-dev libfmt-dev doctest-dev libtomlplusplus-dev libcurl4-openssl-dev librabbitmq-dev libsqlite3-dev libssl-dev libkainjow-mustache-dev libcpp-httplib-dev libhowardhinnant-date-dev libre2-dev clang libclang-rt-14-dev tzdata rabbitmq-server amqp-tools mandoc openssl"
missing=""
# Node.js runs the OS2mo emulator in the tests; a machine that already has it keeps its own.
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"
$as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing
