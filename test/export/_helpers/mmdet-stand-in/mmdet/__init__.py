"""A stand-in for mmdetection's package, used by the tests only when mmdet is not installed."""
