"""Helpers for `make package`: the runtime requirements, and the solver layer zip.

The Lambda zip that Zappa builds holds the portal and its light dependencies; the
matching solvers (OR-Tools, NumPy, rustworkx: about 160 MB unpacked) go in a Lambda
layer of their own, with three libraries moved out of the zip to keep it well under its
10 MB target (pygal, markdown-it-py and openpyxl, below). The layer is built here from the
packaging virtualenv so that zip and layer hold the same versions. Run with the
packaging virtualenv's Python.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Distributions the layer carries; zappa_settings.json excludes the same top-level names
# (tests/package checks that each is in the layer and not in the zip).
SOLVER_DISTRIBUTIONS = ("ortools", "numpy", "rustworkx")
# Not solvers, but out of the zip for its size (about 0.65 MB of it together): pygal draws
# the console's charts (imported only when a chart is drawn) and needs importlib-metadata,
# which needs zipp and lazy-importer (nothing else in the zip imports these three on
# Python 3.11); markdown-it-py, with mdurl, renders the content pages and program texts;
# openpyxl, with et-xmlfile, reads roster workbooks (.xlsx; imported only when one is read).
# Babel (under Flask-Babel) formats dates and numbers and reads the catalogues: 36 MB
# unpacked, nearly all CLDR data, of which only the languages offered are kept (below); pytz
# comes with Flask-Babel; icalendar writes the first meeting's calendar invites.
MOVED_DISTRIBUTIONS = (
    "babel",
    "pytz",
    "icalendar",
    "pygal",
    "importlib-metadata",
    "zipp",
    "lazy-importer",
    "markdown-it-py",
    "mdurl",
    "openpyxl",
    "et-xmlfile",
)
LAYER_DISTRIBUTIONS = SOLVER_DISTRIBUTIONS + MOVED_DISTRIBUTIONS
# pygal's wheel carries its own test suite, which nothing imports.
LEFT_OUT_OF_LAYER = ("pygal/test/",)
# Babel's CLDR data: one file per locale. The layer keeps the root and the languages the
# portal offers (portal.i18n.LANGUAGES), with their regional variants (en_GB formats English).
LOCALE_DATA = "babel/locale-data/"


def offered_languages() -> tuple[str, ...]:
    """The portal's languages, read from portal/i18n.py without importing the portal."""
    source = (ROOT / "portal" / "i18n.py").read_text(encoding="utf-8")
    match = re.search(r"^LANGUAGES: dict\[str, str\] = \{(.*?)\}", source, re.MULTILINE)
    if match is None:
        raise SystemExit("portal/i18n.py does not define LANGUAGES as this script expects")
    return tuple(re.findall(r'"([a-z]{2,3})":', match.group(1)))


def keeps_locale_data(relative: str, languages: tuple[str, ...]) -> bool:
    """Whether the layer keeps a file of Babel's locale data (every other file is kept)."""
    if not relative.startswith(LOCALE_DATA):
        return True
    locale = Path(relative).stem
    return locale == "root" or locale.split("_")[0] in languages


# What AWS's python3.11 runtime already has on sys.path (/var/runtime); the zip leaves it out.
LAMBDA_RUNTIME_DISTRIBUTIONS = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)


def packaging_requirements() -> list[str]:
    """The runtime dependencies and Zappa (the `deploy` extra), as pyproject.toml says.

    The project itself is not installed: Zappa takes its code from the working tree.
    """
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project = tomllib.load(handle)["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["deploy"]]


def _files(names: tuple[str, ...]) -> Iterator[tuple[Path, str]]:
    """(installed file, path relative to site-packages) of each named distribution."""
    for name in names:
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise SystemExit(
                f"{name} is not installed in {sys.prefix}: run this with the packaging "
                "virtualenv's Python (make package)"
            ) from None
        for file in distribution.files or ():
            path = Path(str(distribution.locate_file(file)))
            if ".." in file.parts or not path.is_file():
                continue  # scripts installed outside site-packages
            yield path, str(file)


def build_layer(output: Path) -> int:
    """Zip the layer's distributions under python/ (where Lambda puts a layer on sys.path)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    languages = offered_languages()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as layer:
        for path, relative in _files(LAYER_DISTRIBUTIONS):
            if relative.startswith(LEFT_OUT_OF_LAYER) or not keeps_locale_data(relative, languages):
                continue
            layer.write(path, f"python/{relative}")
            count += 1
    return count


def copy_lambda_runtime(folder: Path) -> int:
    """Copy what the Lambda runtime provides into a folder, for tests of the zip here."""
    if folder.exists():
        shutil.rmtree(folder)
    count = 0
    for path, relative in _files(LAMBDA_RUNTIME_DISTRIBUTIONS):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        count += 1
    return count


def prepare(staged: Path) -> str:
    """Write the route table and compile the templates into a staged copy (portal.prepared),
    the compiled ones' sources removed, reading its content as the app does: a bad content
    file stops the package here."""
    # Nothing compiled by this import may stay in the copy: `compileall` would keep such
    # bytecode, checked by a date Zappa's zip does not keep, and Lambda would compile again.
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(staged.resolve()))  # the staged copy's portal, not an installed one
    from portal import prepared
    from portal.app import build_app
    from portal.catalogs import check_content_files
    from portal.container import build_services
    from portal.extensions import csrf
    from portal.settings import load_settings

    with tempfile.TemporaryDirectory() as data:
        # Not the local stage, whose development-only views the Lambda does not have.
        settings = load_settings(
            {
                "PORTAL_STAGE": "test",
                "PORTAL_DATA_DIR": data,
                "PORTAL_CONTENT_DIR": str(staged / "content"),
            }
        )
        check_content_files(settings.content_dir)
        app = build_app(settings, build_services(settings, read_content=False))
        # Flask-WTF keeps the views exempt from its CSRF check by "module.name".
        routes = prepared.describe(app, lambda view: view in csrf._exempt_views)
        prepared.write(routes, staged / "portal" / prepared.ROUTE_TABLE.name)
        templates = prepared.compile_templates(
            app, staged / "portal" / prepared.COMPILED_TEMPLATES.name
        )
    # Their sources are not read on Lambda: left out of the zip, which must stay under 10 MB.
    for name in templates:
        (staged / "portal" / "templates" / name).unlink()
    return f"{staged}: {len(routes)} routes in the table, {len(templates)} templates compiled"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("requirements", help="print what the packaging virtualenv needs")
    layer = commands.add_parser("layer", help="build the solver layer zip")
    layer.add_argument("output", type=Path)
    runtime = commands.add_parser(
        "lambda-runtime", help="copy what AWS's runtime provides (boto3...) into a folder"
    )
    runtime.add_argument("folder", type=Path)
    staged = commands.add_parser(
        "prepare", help="write the route table and compile the templates into a staged copy"
    )
    staged.add_argument("staged", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(prepare(args.staged))
        return 0
    if args.command == "requirements":
        print("\n".join(packaging_requirements()))
        return 0
    if args.command == "lambda-runtime":
        print(f"{args.folder}: {copy_lambda_runtime(args.folder)} files")
        return 0
    count = build_layer(args.output)
    size = args.output.stat().st_size
    print(f"{args.output}: {count} files, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
