# The C extension; everything else about the package is in pyproject.toml.
from setuptools import Extension, setup

setup(ext_modules=[Extension("shopapi._pricing", ["src/shopapi/_pricing.c"])])
