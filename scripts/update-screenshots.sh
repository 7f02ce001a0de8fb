#!/usr/bin/env bash
# Copies the screenshots the browser tests took (artifacts/screenshots/*.png, ignored by git) into docs/screenshots/,
# where the README shows them. The tests never write into docs/ themselves, so a test run leaves the tree clean; run
# this on purpose after `dotnet test` when the page's look has changed, and review the pictures before committing.
# Only the pictures the docs already show are copied (the tests keep some for people to look at, such as layout/).
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir=artifacts/screenshots
target_dir=docs/screenshots
if [[ ! -d $source_dir ]]; then
  echo "No $source_dir: run the browser tests first (dotnet test tests/Colorizer.Web.BrowserTests)." >&2
  exit 1
fi

copied=0
for target in "$target_dir"/*.png; do
  name=$(basename "$target")
  if [[ -f $source_dir/$name ]]; then
    cp "$source_dir/$name" "$target"
    echo "updated $target"
    copied=$((copied + 1))
  else
    echo "kept $target (no $source_dir/$name)" >&2
  fi
done
echo "$copied screenshot(s) copied; review them with git diff --stat $target_dir before committing."
