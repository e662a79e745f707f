#!/usr/bin/env bash
# Refreshes the vendored number-segment table, data/segments/phone.dat, from the PyPI package
# `phone` (https://github.com/ls0f/phone): ./scripts/refresh-segments.sh [version, default 0.4.5].
# Then update data/segments/SOURCE.md (version, data version, count, SHA-256) and docs/numbers.md.
set -euo pipefail

version="${1:-0.4.5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/data/segments/phone.dat"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pip download "phone==$version" --no-deps -d "$work" >/dev/null
archive="$(find "$work" -maxdepth 1 -name 'phone-*' | head -n 1)"
[[ -n "$archive" ]] || { echo "pip download phone==$version gave no archive" >&2; exit 1; }
mkdir "$work/unpacked"
case "$archive" in
  *.tar.gz) tar -xzf "$archive" -C "$work/unpacked" ;;
  *.whl | *.zip) python3 -m zipfile -e "$archive" "$work/unpacked" ;;
  *) echo "unexpected archive $archive" >&2; exit 1 ;;
esac
dat="$(find "$work/unpacked" -path '*/phone/phone.dat' | head -n 1)"
[[ -n "$dat" ]] || { echo "no phone/phone.dat in $archive" >&2; exit 1; }

# Check the new file before it replaces the vendored one.
cd "$root"
node --import tsx --input-type=module -e '
  import { loadSegmentTable } from "./src/numbers/segments.ts";
  const table = loadSegmentTable(process.argv[1]);
  const found = table.lookup("13800138000");
  if (found?.carrier !== "CMCC" || found.province !== "北京") {
    throw new Error(`13800138000 is ${JSON.stringify(found)}, not CMCC 北京`);
  }
  console.log(`version ${table.version}, ${table.size} segments`);
' "$dat"
mkdir -p "$(dirname "$target")"
cp "$dat" "$target"
echo "sha256 $(sha256sum "$target" | cut -d' ' -f1), $(stat -c %s "$target") bytes: $target"
echo "Now update data/segments/SOURCE.md (package version $version, data version, count, SHA-256) and docs/numbers.md."
