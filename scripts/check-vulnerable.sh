#!/usr/bin/env bash
# Fails when any project of the solution uses a NuGet package (direct or transitive) with a known vulnerability.
# `dotnet list package --vulnerable` reports them but exits 0 either way, so its report is read here.
# The advisory data comes from the package source's vulnerability feed (nuget.org's, or a mirror's).
set -euo pipefail
cd "$(dirname "$0")/.."

report=$(dotnet list Colorizer.sln package --vulnerable --include-transitive 2>&1) || {
  echo "$report"
  echo "check-vulnerable: 'dotnet list package --vulnerable' failed" >&2
  exit 2
}
echo "$report"
if grep -q "has the following vulnerable packages" <<<"$report"; then
  echo "check-vulnerable: vulnerable packages found (see above); update them in Directory.Packages.props" >&2
  exit 1
fi
echo "check-vulnerable: no known vulnerable packages"
