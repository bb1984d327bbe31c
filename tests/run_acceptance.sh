#!/bin/sh
# Runs the public acceptance suite against a linemgr binary: run_acceptance.sh BIN SHARED_DIR plain|fixpoint
# Exits 77 (skipped) when the shared folder or python3 is absent.
bin=$1 shared=$2 mode=$3
if [ ! -f "$shared/tools/acceptance.py" ] || [ ! -d "$shared/acceptance" ]; then
  echo "skipped: no acceptance suite at $shared (set LINEMGR_SHARED_DIR)"
  exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "skipped: python3 is not installed"; exit 77; }
if [ "$mode" = fixpoint ]; then
  exec python3 "$shared/tools/acceptance.py" --bin "$bin" --fixpoint "$shared/acceptance"
fi
exec python3 "$shared/tools/acceptance.py" --bin "$bin" "$shared/acceptance"
