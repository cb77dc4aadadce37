"""The one thing pyproject.toml cannot say: generated/ ships inside the wheel as aioautoml._generated."""

from setuptools import find_packages, setup

generated = ["aioautoml._generated"] + [f"aioautoml._generated.{name}" for name in find_packages("generated")]
setup(
    packages=find_packages("src") + generated,
    package_dir={"": "src", "aioautoml._generated": "generated"},
)
