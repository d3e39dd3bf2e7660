"""The layers, read from the source: what each package may import, and how long a module may be.

Every import counts, at the top of a module or inside a function, under TYPE_CHECKING too.
"""

from __future__ import annotations

import ast
import re
from functools import cached_property
from pathlib import Path

from portal.container import Services
from tests.conftest import ROOT

PORTAL = ROOT / "portal"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 600
# The domain is pure: no web framework, no database, no AWS, and none of the layers above it.
NOT_IN_THE_DOMAIN = (
    "flask",
    "werkzeug",
    "pynamodb",
    "boto3",
    "botocore",
    "portal.web",
    "portal.app",
    "portal.services",
    "portal.persistence",
    "portal.container",
    "portal.cli",
)


def modules(under: Path) -> list[Path]:
    return sorted(under.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module name the file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from portal import persistence` imports the package portal.persistence (and
            # not portal/__init__.py's names, when every name imported is a module of ours).
            submodules = [f"{origin}.{alias.name}" for alias in node.names]
            names.update(submodules)
            if not all(_is_our_module(sub) for sub in submodules):
                names.add(origin)
    return names


def _is_our_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


def offences(paths: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """The forbidden modules each file imports, by file."""
    assert paths, "no modules to check"
    found: dict[str, list[str]] = {}
    for path in paths:
        bad = sorted(n for n in imported(path) if any(within(n, f) for f in forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def web_modules() -> list[Path]:
    """The web: the app factory and the blueprints."""
    return [PORTAL / "app.py", *modules(PORTAL / "web")]


# What each layer may import


def test_the_web_never_imports_persistence() -> None:
    assert offences(web_modules(), ("portal.persistence",)) == {}


def test_the_domain_imports_no_framework_database_or_upper_layer() -> None:
    assert offences(modules(PORTAL / "domain"), NOT_IN_THE_DOMAIN) == {}


def test_the_command_line_asks_services_not_the_database() -> None:
    assert offences(modules(PORTAL / "cli"), ("portal.persistence", "pynamodb", "boto3")) == {}


# The arrows docs/architecture.md draws are the code's


def documented_parts() -> tuple[dict[str, str], dict[str, set[str]]]:
    """From the doc's table: the part each module path belongs to, and what each part imports."""
    rows = re.findall(
        r"^\| ([a-z0-9_.]+) \| (.+?) \|(.*)\|$",
        ARCHITECTURE.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert len(rows) > 10, "the table of arrows is missing from docs/architecture.md"
    owners = {path: part for part, paths, _ in rows for path in re.findall(r"`([^`]+)`", paths)}
    arrows = {
        part: {name.strip() for name in imports.split(",") if name.strip()}
        for part, _, imports in rows
    }
    return owners, arrows


def part_of(path: Path, owners: dict[str, str]) -> str:
    """The part a file belongs to: the longest documented path that holds it."""
    relative = path.relative_to(ROOT).as_posix()
    holders = [p for p in owners if relative == p or (p.endswith("/") and relative.startswith(p))]
    assert holders, f"{relative} belongs to no part in docs/architecture.md"
    return owners[max(holders, key=len)]


def module_file(name: str) -> Path | None:
    """The file of an imported module of ours (`portal.create_app` is the package portal)."""
    parts = name.split(".")
    while parts and parts[0] in ("portal", "functions"):
        base = ROOT.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        parts = parts[:-1]
    return None


def code_arrows(owners: dict[str, str]) -> dict[str, set[str]]:
    """What each part imports of the other parts, read from the source."""
    arrows: dict[str, set[str]] = {part: set() for part in owners.values()}
    for path in [*modules(PORTAL), *modules(ROOT / "functions")]:
        source = part_of(path, owners)
        for name in imported(path):
            target = module_file(name)
            if target is not None and part_of(target, owners) != source:
                arrows[source].add(part_of(target, owners))
    return arrows


def test_the_documented_arrows_are_the_imports() -> None:
    owners, documented = documented_parts()
    found = code_arrows(owners)
    undocumented = {p: sorted(found[p] - documented.get(p, set())) for p in found}
    untrue = {p: sorted(documented[p] - found.get(p, set())) for p in documented}
    assert {p: v for p, v in undocumented.items() if v} == {}, "imports the doc does not draw"
    assert {p: v for p, v in untrue.items() if v} == {}, "arrows the doc draws that no code has"


def test_the_documented_arrows_run_one_way() -> None:
    _, arrows = documented_parts()
    placed: list[str] = []
    while len(placed) < len(arrows):  # the parts that import only parts already placed
        ready = sorted(p for p in arrows if p not in placed and arrows[p] <= set(placed))
        assert ready, f"a cycle among {sorted(set(arrows) - set(placed))}"
        placed += ready


# The web holds no repository: it asks services


def _repositories(services: Services) -> tuple[set[str], dict[str, set[str]]]:
    """The services' fields that are repositories, and each service's repository attributes."""

    def is_repository(value: object) -> bool:
        return type(value).__module__.startswith("portal.persistence.")

    # The container's attributes, and the services it builds when first used.
    built = [n for n, v in vars(Services).items() if isinstance(v, cached_property)]
    names = [n for n in [*vars(services), *built] if not n.startswith("_")]
    assert {"settings", "programs", "participants", "checkins", "roster_imports"} <= set(names)
    direct: set[str] = set()
    inner: dict[str, set[str]] = {}
    for name in names:
        value = getattr(services, name)
        if is_repository(value):
            direct.add(name)
        elif hasattr(value, "__dict__"):
            inner[name] = {k for k, v in vars(value).items() if is_repository(v)}
    return direct, inner


def _is_the_services(node: ast.expr) -> bool:
    """`services()`, or `portal`, the name the web's views give it."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "services"
    return isinstance(node, ast.Name) and node.id == "portal"


def test_the_web_reaches_no_repository_through_the_services(services: Services) -> None:
    direct, inner = _repositories(services)
    assert "participants" in direct  # the tests' own way in; the web must not use it
    assert "goals" in inner["checkins"]
    found = []
    for path in web_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            held = node.value
            if _is_the_services(held) and node.attr in direct:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
            elif (
                isinstance(held, ast.Attribute)
                and _is_the_services(held.value)
                and node.attr in inner.get(held.attr, set())
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{held.attr}.{node.attr}")
    assert found == []


# Room sizes


def test_no_module_is_over_600_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT))
        for path in modules(PORTAL)
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }
    assert too_long == set()
