"""Maps the top-level folders onto the ``rapport`` namespace (metadata is in pyproject.toml).

``core/`` installs as ``rapport.core`` and so on, so nothing named ``core`` or ``schema``
lands in site-packages.
"""

from setuptools import find_packages, setup

FOLDERS = {"rapport.core": "core", "rapport.schema": "schema", "rapport.plugins": "plugins"}

packages = []
for name, folder in FOLDERS.items():
    packages.append(name)
    packages.extend(f"{name}.{sub}" for sub in find_packages(folder))

setup(packages=packages, package_dir=FOLDERS)
