"""The server distribution's package list: service/ and projections/ install as iamd.service and
iamd.projections (pyproject.toml maps the folders); setuptools needs every subpackage named."""

from setuptools import find_packages, setup

setup(packages=[f"iamd.{top}{'.' + sub if sub else ''}"
                for top in ("service", "projections") for sub in ["", *find_packages(top)]])
