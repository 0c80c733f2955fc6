#!/usr/bin/env bash
# Regenerates docs/report.png, the README's picture of the loss report: the
# default report (the four published losses) written by the current sources
# and photographed by Debian's headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${CHROMIUM:-chromium}
if ! command -v "$CHROMIUM" >/dev/null; then
  echo "readme-image: $CHROMIUM not found; install it with scripts/system-deps.sh (Debian package chromium)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
page=$(node --import tsx --input-type=module -e 'const { writeReport } = await import("./src/render/report/report.ts"); process.stdout.write(writeReport([], process.argv[1]));' "$tmp/report")
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$tmp/profile" --hide-scrollbars \
  --screenshot="$tmp/report.png" --window-size=1200,1500 "file://$page" 2>/dev/null
mkdir -p docs
mv "$tmp/report.png" docs/report.png
echo "wrote docs/report.png"
