"""Fail unless every ``name==version`` of a constraints file is what is installed.

Used by ``nox -s lowest`` after installing with those constraints.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version


def main(path: str) -> int:
    wrong = []
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (spec,) = requirement.specifier
        installed = version(requirement.name)
        if Version(installed) != Version(spec.version):
            wrong.append(f"{requirement.name} {installed} (floor {spec.version})")
        else:
            print(f"{requirement.name} {installed}: at its floor")
    if wrong:
        print("not at the floor:", ", ".join(wrong), file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
