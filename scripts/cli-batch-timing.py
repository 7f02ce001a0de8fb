#!/usr/bin/env python3
"""Times the CLI over a folder: per-image time after the first, peak RSS and CPU (docs/performance-notes.md).

usage: scripts/cli-batch-timing.py <folder with colorizer.dll> <input folder> <models folder> [colorize options...]

Per image = (time of the last result line - time of the first) / (images - 1), timed from outside the process.
Needs GNU time at /usr/bin/time. Test photos: `dotnet run -c Release --project bench/Colorizer.Bench -- --photo 960 720 a.jpg`.
"""
import os, re, shutil, statistics, subprocess, sys, tempfile, time

cli, inputs, models, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
out = tempfile.mkdtemp(prefix="colorizer-batch-")
load = os.getloadavg()[0]
command = ["/usr/bin/time", "-f", "PEAK %M KB CPU %U %S", "dotnet", os.path.join(cli, "colorizer.dll"), "colorize", inputs,
           "-o", out, "--models", models, "--offline"] + extra
start = time.monotonic()
process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
stamps = [time.monotonic() - start for line in process.stdout if line.startswith("[")]
error = process.stderr.read()
process.wait()
peak = re.search(r"PEAK (\d+) KB", error)
cpu = re.search(r"CPU ([\d.]+) ([\d.]+)", error)
gaps = [b - a for a, b in zip(stamps, stamps[1:])]
print(f"exit {process.returncode}; {len(stamps)} images; first result {stamps[0] if stamps else 0:.2f} s; "
      f"per image {(stamps[-1] - stamps[0]) / max(1, len(stamps) - 1):.3f} s (median gap {statistics.median(gaps) if gaps else 0:.3f}); "
      f"peak RSS {int(peak.group(1)) / 1024 if peak else -1:.0f} MiB; CPU {float(cpu.group(1)) + float(cpu.group(2)) if cpu else -1:.2f} s; "
      f"load {load:.2f} -> {os.getloadavg()[0]:.2f}")
if process.returncode != 0:
    print(error[-2000:])
shutil.rmtree(out, ignore_errors=True)
