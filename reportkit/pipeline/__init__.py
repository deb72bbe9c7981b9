"""Running a build: targets and options, executors (kernels, the zygote, Dask), the cache, publishing outputs.

The top stage: may import every other one; nothing below imports it."""
