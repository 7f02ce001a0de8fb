#!/usr/bin/env bash
# Soak test on demand: starts the web app on 127.0.0.1 (Release build, downloads off), drives its API with a mix of
# requests (sizes, formats, options, bad inputs) from a few curl loops for MINUTES minutes, samples the server's
# resident set from /proc/<pid>/status every few seconds, prints a table and a verdict, and stops the server.
#
#   scripts/soak.sh [minutes] [models-dir]
#
# minutes     how long to drive it (default 5; decimals allowed, e.g. 0.5)
# models-dir  a folder with the model weights (colorization_release_v2.caffemodel); default $COLORIZER_MODELS, else the
#             repository's models/. Nothing is ever downloaded: fetch the weights first with
#             `dotnet run --project src/Colorizer.Cli -- models --models DIR`.
#
# Settings (environment): SOAK_CLIENTS (parallel curl loops, 4), SOAK_SAMPLE_SECONDS (5), SOAK_WARMUP_SECONDS (time not
# judged, default a fifth of the run, at most 60), SOAK_MAX_GROWTH_MB (allowed growth of the resident set from the first
# to the last quarter of the judged samples, 64), SOAK_MAX_REQUESTS (per client, 100000), SOAK_NO_BUILD=1 (use the
# existing Release build).
#
# Every request goes to the server this script starts, on 127.0.0.1, bypassing any proxy; every loop ends by itself at
# the deadline or its request count. Exit status: 0 pass, 1 fail (unexpected answers, memory growth, not healthy at
# the end), 2 could not run.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
minutes=${1:-5}
models=${2:-${COLORIZER_MODELS:-$repo/models}}
clients=${SOAK_CLIENTS:-4}
sample_seconds=${SOAK_SAMPLE_SECONDS:-5}
max_growth_mb=${SOAK_MAX_GROWTH_MB:-64}
max_requests=${SOAK_MAX_REQUESTS:-100000}

die() { echo "soak: $*" >&2; exit 2; }

[[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]] || die "minutes must be a number, got '$minutes'"
duration=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print (s < 10 ? 10 : s) }')
warmup=${SOAK_WARMUP_SECONDS:-$(( duration / 5 < 60 ? duration / 5 : 60 ))}
for tool in dotnet curl ffmpeg awk; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (scripts/install-deps.sh installs it)"
done
models=$(cd "$models" 2>/dev/null && pwd) || die "no models folder at '${2:-${COLORIZER_MODELS:-$repo/models}}'"
[[ -f $models/colorization_release_v2.caffemodel ]] \
  || die "$models has no colorization_release_v2.caffemodel; this script never downloads: run 'dotnet run --project src/Colorizer.Cli -- models --models $models' first"

work=$(mktemp -d -t colorizer-soak.XXXXXX)
server=""
workers=()
cleanup() {
  for pid in "${workers[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# --- the app -------------------------------------------------------------------------------------------------------
if [[ ${SOAK_NO_BUILD:-0} != 1 ]]; then
  echo "Building the web app (Release)..."
  dotnet build "$repo/src/Colorizer.Web" -c Release --nologo -v quiet >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; die "the build failed"; }
fi
dll=$( (ls -t "$repo"/src/Colorizer.Web/bin/Release/net10.0/*/Colorizer.Web.dll 2>/dev/null || true) | head -1)
[[ -n $dll ]] || die "no Release build of src/Colorizer.Web (run without SOAK_NO_BUILD)"

# --- the inputs: made here, never fetched ---------------------------------------------------------------------------
img() { ffmpeg -v error -y -f lavfi -i "testsrc2=size=$1" -frames:v 1 -vf format=gray "$work/$2"; }
img 64x48 tiny.png
img 320x240 small.jpg
img 640x480 medium.webp
img 800x600 medium.bmp
img 1024x768 large.tiff
img 1600x1200 large.png
img 3000x2000 huge.jpg
head -c 4096 /dev/urandom >"$work/noise.bin"
head -c "$(( $(stat -c %s "$work/small.jpg") / 2 ))" "$work/small.jpg" >"$work/cut.jpg"

# Each case: name|expected status|file|query ("-" for none). "json" sends a JSON body instead of a form.
cases=(
  "png 64x48|200|tiny.png|-"
  "jpeg 320x240 -> jpeg|200|small.jpg|format=jpeg"
  "webp 640x480 -> webp T=0.2|200|medium.webp|format=webp&temperature=0.2"
  "bmp 800x600 S=1.5 R=128|200|medium.bmp|saturation=1.5&renderSize=128"
  "tiff 1024x768 R=320|200|large.tiff|renderSize=320"
  "png 1600x1200 -> jpeg|200|large.png|format=jpeg"
  "jpeg 3000x2000 R=448|200|huge.jpg|renderSize=448&format=jpeg"
  "random bytes|415|noise.bin|-"
  "truncated jpeg|400|cut.jpg|-"
  "temperature=5|422|small.jpg|temperature=5"
  "not multipart|400|json|-"
)

# --- start the server ------------------------------------------------------------------------------------------------
# Port 0: Kestrel picks a free port on loopback and logs it. The rate limit is raised: one address drives it all.
(
  cd "$(dirname "$dll")"
  exec env ASPNETCORE_URLS=http://127.0.0.1:0 ASPNETCORE_ENVIRONMENT=Production \
    Colorizer__ModelsDirectory="$models" Colorizer__DownloadWeights=false \
    RateLimit__PermitsPerMinute=1000000 RateLimit__Burst=1000000 \
    dotnet "$dll"
) >"$work/server.log" 2>&1 &
server=$!

port=""
for _ in $(seq 300); do
  kill -0 "$server" 2>/dev/null || { tail -30 "$work/server.log"; die "the server exited"; }
  port=$(grep -soE 'Now listening on: http://127\.0\.0\.1:[0-9]+' "$work/server.log" | head -1 | grep -oE '[0-9]+$' || true)
  [[ -n $port ]] && break
  sleep 0.2
done
[[ -n $port ]] || { tail -30 "$work/server.log"; die "the server did not say where it listens"; }
base="http://127.0.0.1:$port"
get() { curl -s --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}' "$base$1" || true; }

echo "Server pid $server on $base; models $models; waiting for /health..."
for _ in $(seq 360); do
  [[ $(get /health) == 200 ]] && break
  kill -0 "$server" 2>/dev/null || { tail -30 "$work/server.log"; die "the server exited"; }
  sleep 0.5
done
[[ $(get /health) == 200 ]] || { tail -30 "$work/server.log"; die "the model did not become ready within 3 minutes"; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server/status" 2>/dev/null || echo 0; }
rss_start=$(rss_kb)

# --- drive it -------------------------------------------------------------------------------------------------------
start=$(date +%s)
end=$(( start + duration ))
worker() {
  local id=$1 n=0 spec name expected file query url
  while (( n < max_requests )) && (( $(date +%s) < end )); do
    spec=${cases[$(( (n * clients + id) % ${#cases[@]} ))]}
    IFS='|' read -r name expected file query <<<"$spec"
    url="$base/api/colorize"; [[ $query != - ]] && url="$url?$query"
    if [[ $file == json ]]; then
      result=$(curl -s --noproxy '*' --max-time 120 -o /dev/null -w '%{http_code} %{time_total}' \
        -H 'Content-Type: application/json' --data '{}' "$url" || echo "000 0")
    else
      result=$(curl -s --noproxy '*' --max-time 120 -o /dev/null -w '%{http_code} %{time_total}' \
        -F "file=@$work/$file" "$url" || echo "000 0")
    fi
    echo "$result $expected $name" >>"$work/requests.$id"
    n=$(( n + 1 ))
  done
}
for (( id = 0; id < clients; id++ )); do
  : >"$work/requests.$id"
  worker "$id" &
  workers+=($!)
done

printf '\n%8s %10s %10s %10s\n' "time (s)" "RSS (MB)" "requests" "per second"
: >"$work/samples"
last_count=0 last_time=$start
while (( $(date +%s) < end )); do
  sleep "$sample_seconds"
  now=$(date +%s)
  count=$(cat "$work"/requests.* | wc -l)
  rss=$(rss_kb)
  rate=$(awk -v c=$(( count - last_count )) -v t=$(( now - last_time )) 'BEGIN { printf "%.1f", (t > 0 ? c / t : 0) }')
  printf '%8d %10.1f %10d %10s\n' $(( now - start )) "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$count" "$rate"
  echo "$(( now - start )) $rss" >>"$work/samples"
  last_count=$count last_time=$now
done
for pid in "${workers[@]}"; do wait "$pid" || true; done
workers=()
health=$(get /health)
rss_end=$(rss_kb)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server/status" 2>/dev/null || echo 0)

# --- report ---------------------------------------------------------------------------------------------------------
echo
echo "Answers (status, case, count, latency p50/p95/max in ms):"
cat "$work"/requests.* | awk '
  { code = $1; t = $2 * 1000; expected = $3; name = ""; for (i = 4; i <= NF; i++) name = name (i > 4 ? " " : "") $i
    key = code " " name; n[key]++; lat[key, n[key]] = t
    total++; if (code != expected) bad++ }
  END {
    for (k in n) {
      m = n[k]; for (i = 1; i <= m; i++) v[i] = lat[k, i]
      for (i = 2; i <= m; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
      p50 = v[int((m - 1) * 0.5) + 1]; p95 = v[int((m - 1) * 0.95) + 1]
      printf "  %-40s %6d   %8.1f %8.1f %8.1f\n", k, m, p50, p95, v[m]
    }
    printf "  total %d requests, %d with an unexpected status\n", total, bad
  }' | sort
unexpected=$(cat "$work"/requests.* | awk '$1 != $3' | wc -l)
total=$(cat "$work"/requests.* | wc -l)

verdict=$(awk -v warm="$warmup" -v limit="$max_growth_mb" '
  $1 >= warm { t[++n] = $1; r[n] = $2 / 1024 }
  END {
    if (n < 8) { printf "SKIP only %d samples after %d s of warm-up: too few to judge (run longer)\n", n, warm; exit }
    q = int(n / 4); for (i = 1; i <= q; i++) { a += r[i]; b += r[n - q + i] }
    a /= q; b /= q
    printf "%s resident set: first quarter %.1f MB, last quarter %.1f MB (%+.1f MB; allowed %d MB) over %d samples after %d s of warm-up\n",
      (b - a <= limit ? "PASS" : "FAIL"), a, b, b - a, limit, n, warm
  }' "$work/samples")

echo
printf 'Server RSS: %.1f MB when ready, %.1f MB at the end, peak %.1f MB\n' \
  "$(awk -v k="$rss_start" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss_end" 'BEGIN { print k / 1024 }')" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')"
echo "Memory: $verdict"
echo "Answers: $total requests, $unexpected unexpected; /health at the end: $health"

status=0
[[ $verdict == FAIL* ]] && status=1
(( unexpected > 0 )) && status=1
[[ $health == 200 ]] || status=1
(( total > 0 )) || status=1
if (( status == 0 )); then
  echo "Verdict: PASS"
else
  echo "Verdict: FAIL"
  # The server's own errors, if any (the readiness check's failures while the model loads are expected).
  awk '/^(fail|crit):/ { show = ($0 !~ /HealthCheckService/) } /^[a-z]+:/ && !/^(fail|crit):/ { show = 0 } show' "$work/server.log" | tail -12
fi
exit $status
