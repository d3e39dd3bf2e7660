"""A small HTML reader for tests: find elements by id, tag or attribute and read their text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(eq=False)
class Element:
    """One element with its attributes; boolean attributes such as `checked` hold ""."""

    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        """The element's text as a person reads it, with whitespace collapsed."""
        parts: list[str] = []
        self._collect(parts)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def _collect(self, parts: list[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                child._collect(parts)

    def iter(self) -> Iterator[Element]:
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Elements of `tag` (any tag if None) whose attributes equal `attrs`.

        `class_` matches one of the element's classes; other underscores stand for hyphens.
        """
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(_matches(element, name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        matches = self.find_all(tag, **attrs)
        return matches[0] if matches else None

    def one(self, tag: str | None = None, **attrs: str) -> Element:
        """The only element that matches; fails the test otherwise."""
        matches = self.find_all(tag, **attrs)
        assert len(matches) == 1, f"expected one <{tag or '*'} {attrs}>, found {len(matches)}"
        return matches[0]

    def by_id(self, element_id: str) -> Element | None:
        return self.find(id=element_id)

    def is_inside(self, ancestor: Element) -> bool:
        node = self.parent
        while node is not None:
            if node is ancestor:
                return True
            node = node.parent
        return False

    # Form controls, read the way a browser would submit them.

    def value_of(self, name: str) -> str:
        """The current value of a text input or textarea."""
        control = self.one(None, name=name)
        if control.tag == "textarea":
            return control.text
        return control.get("value") or ""

    def checked(self, name: str) -> list[str]:
        """Values of the ticked checkboxes or radio buttons called `name`."""
        return [
            box.get("value") or ""
            for box in self.find_all("input", name=name)
            if box.has("checked")
        ]

    def options(self, name: str) -> list[str]:
        """Values a select called `name` offers."""
        select = self.one("select", name=name)
        return [option.get("value") or "" for option in select.find_all("option")]

    def selected(self, name: str) -> list[str]:
        select = self.one("select", name=name)
        return [
            option.get("value") or ""
            for option in select.find_all("option")
            if option.has("selected")
        ]


def _matches(element: Element, name: str, value: str) -> bool:
    if name == "class_":
        return value in element.classes
    return element.attrs.get(name.replace("_", "-")) == value


class Document(Element):
    """A whole page."""

    @property
    def title(self) -> str:
        return self.one("title").text

    @property
    def h1(self) -> str:
        return self.one("h1").text

    def hrefs(self) -> list[str]:
        return [a.get("href") or "" for a in self.find_all("a")]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Document("#document", {})
        self.stack: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        element = Element(tag, {name: value or "" for name, value in attrs}, parent)
        parent.children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        parent.children.append(Element(tag, {n: v or "" for n, v in attrs}, parent))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Document:
    """Parse a page into a tree of elements."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
