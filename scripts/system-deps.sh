#!/usr/bin/env bash
# Debian packages the test suite and benchmarks use: PyTorch (the exported
# PyTorch code is run against the fixtures; benchmark peer), SymPy (benchmark
# peer), torchvision (the ResNet weight-mapping test), Chromium (headless checks of the HTML report), Fashion-MNIST (real
# images for the detection set), Redis (the queue tests start their own
# redis-server), TeX Live and poppler (the LaTeX report is compiled and its
# first page rendered), OpenBLAS (Debian's PyTorch calls the system BLAS for
# its matrix products; with the reference BLAS a 1024³ matMul took ~800 ms
# on one thread against ~35 ms with OpenBLAS, which would make the
# benchmark peer a straw man). Installs only what is missing; needs root.
set -euo pipefail
need=()
command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
/usr/bin/python3 -c 'import sympy' 2>/dev/null || need+=(python3-sympy)
/usr/bin/python3 -c 'import torchvision' 2>/dev/null || need+=(python3-torchvision)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
command -v chromium >/dev/null || need+=(chromium)
[ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
command -v redis-server >/dev/null || need+=(redis-server)
# pdflatex (amsmath, geometry, graphicx) and booktabs compile the LaTeX report; pdftoppm renders its page 1.
command -v pdflatex >/dev/null || need+=(texlive-latex-base)
kpsewhich booktabs.sty >/dev/null 2>&1 || need+=(texlive-latex-recommended)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system packages missing: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
