# Only here to list the packages: resources/ (at the top of the repository, DESIGN.md)
# installs as fumidai.resources, which pyproject's find directive cannot express.
#
# The policy request parser has a C version (app/fumidai/postfix/_speedups.c); where it
# cannot be built (no compiler), fumidai runs its Python twin, slower but the same.
#
# data_files: what a mail server needs besides the package, installed under the venv's
# share/ (e.g. /opt/fumidai/share/fumidai/), so a wheel alone is enough to deploy
# (docs/deploy.md) and the systemd unit's Documentation= points at an installed file.
from setuptools import Extension, find_packages, setup

setup(
    packages=find_packages("app") + ["fumidai.resources", "fumidai.store.migrations", "fumidai.store.migrations.versions"],
    ext_modules=[Extension("fumidai.postfix._speedups", ["app/fumidai/postfix/_speedups.c"], optional=True)],
    data_files=[
        ("share/fumidai", ["packaging/fumidai.example.toml", "packaging/systemd/fumidai.service",
                           "packaging/systemd/fumidai.sysusers", "packaging/postfix/main.cf.snippet",
                           "packaging/postfix/master.cf.snippet"]),
        ("share/doc/fumidai", ["README.md", "docs/deploy.md"]),
    ],
)
