# Only here to list the packages: resources/ (at the top of the repository, DESIGN.md)
# installs as fumidai.resources, which pyproject's find directive cannot express.
#
# The policy request parser has a C version (app/fumidai/postfix/_speedups.c); where it
# cannot be built (no compiler), fumidai runs its Python twin, slower but the same.
from setuptools import Extension, find_packages, setup

setup(
    packages=find_packages("app") + ["fumidai.resources", "fumidai.store.migrations", "fumidai.store.migrations.versions"],
    ext_modules=[Extension("fumidai.postfix._speedups", ["app/fumidai/postfix/_speedups.c"], optional=True)],
)
