# Only here to list the packages: resources/ (at the top of the repository, DESIGN.md)
# installs as fumidai.resources, which pyproject's find directive cannot express.
from setuptools import find_packages, setup

setup(packages=find_packages("app") + ["fumidai.resources", "fumidai.store.migrations", "fumidai.store.migrations.versions"])
