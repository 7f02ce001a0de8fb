#!/usr/bin/env python3
"""The reference colorization pipeline (Zhang, Isola & Efros 2016, as in the authors' OpenCV demo), for the benchmark.

Like the original demo it loads the network again for every image (cv2.dnn.readNetFromCaffe per image). OpenCV's Python
bindings cannot set the blobs of the decoding tail either, so this loads the network without it (the prototxt the
benchmark writes: the release's up to conv8_313) and decodes the 313 logits with numpy: annealed mean at T = 0.38,
i.e. softmax(logits * 2.606) over the bins, times the bin centres of pts_in_hull.npy. Then: ab upsampled to the full
size (bilinear), joined with the full-resolution L, Lab -> BGR, clipped, 8-bit PNG.

    python3 colorize_reference.py --prototxt P --weights W --points pts_in_hull.npy --output DIR image [image ...]

Prints one JSON object per image (milliseconds per stage) to standard output.
"""
import time

_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

_IMPORTED = time.perf_counter()

SCALE = 2.606  # conv8_313_rh of the release prototxt: 1 / T with T = 0.38
SIDE = 224


def colorize(path, args):
    times = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        times[name] = (now - clock) * 1000
        clock = now

    net = cv2.dnn.readNetFromCaffe(args.prototxt, args.weights)
    points = np.load(args.points).astype(np.float32)  # (313, 2): a, b
    lap("load_ms")

    bgr = cv2.imread(path)
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    lap("read_decode_ms")

    lab = cv2.cvtColor(bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
    lightness = lab[:, :, 0]
    small = cv2.resize(lab, (SIDE, SIDE))[:, :, 0] - 50
    net.setInput(cv2.dnn.blobFromImage(small))
    lap("prep_ms")

    logits = net.forward("conv8_313")[0]  # (313, 56, 56)
    lap("forward_ms")

    z = logits * SCALE
    z -= z.max(axis=0, keepdims=True)
    probabilities = np.exp(z)
    probabilities /= probabilities.sum(axis=0, keepdims=True)
    ab = np.einsum("kc,khw->hwc", points, probabilities)  # (56, 56, 2)
    lap("decode_ms")

    height, width = lightness.shape
    ab = cv2.resize(ab, (width, height))
    out = cv2.cvtColor(np.concatenate((lightness[:, :, np.newaxis], ab), axis=2), cv2.COLOR_Lab2BGR)
    out = (255 * np.clip(out, 0, 1)).astype("uint8")
    lap("compose_ms")

    name = os.path.splitext(os.path.basename(path))[0] + ".png"
    cv2.imwrite(os.path.join(args.output, name), out)
    lap("encode_write_ms")

    times["total_ms"] = sum(times.values())
    times.update(image=path, width=width, height=height)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prototxt", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--points", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    print(json.dumps({"startup": True, "import_ms": (_IMPORTED - _START) * 1000, "opencv": cv2.__version__,
                      "numpy": np.__version__, "threads": cv2.getNumThreads(),
                      "python": sys.version.split()[0]}), flush=True)
    for path in args.images:
        print(json.dumps(colorize(path, args)), flush=True)


if __name__ == "__main__":
    main()
