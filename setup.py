"""The one compiled module: the shared rate-limit counters' hot loop (counters.py, decision 0011).

Everything else about the package is in pyproject.toml; setuptools' own table for C extensions there is
still experimental, so the extension is declared here. Installing needs a C compiler (gcc).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "skillcert.verification._counting",
            sources=["skillcert/verification/_counting.c"],
            # Warnings are errors in `make lint` (CI), not here: a newer compiler's new warning must not
            # stop an installation.
            extra_compile_args=["-O2", "-Wall", "-Wextra"],
        )
    ]
)
