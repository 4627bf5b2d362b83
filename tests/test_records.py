"""dfcheck.records: the cheap-to-define classes of the start-up path behave as what they replace."""

from __future__ import annotations

import pickle
import typing

import pytest

from dfcheck.records import NamedTuple, field, frozen, record


class Point(NamedTuple):
    """A doc string."""

    x: int
    y: int = 0
    label: str | None = None

    def moved(self, dx: int) -> Point:
        return self._replace(x=self.x + dx)

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


class TypingPoint(typing.NamedTuple):
    x: int
    y: int = 0
    label: str | None = None


def test_named_tuple_is_typings_named_tuple_without_the_annotation_check() -> None:
    p = Point(1, 2)
    assert p.moved(2) == Point(3, 2) and p.norm == 3
    assert p == (1, 2, None) and p[0] == 1 and tuple(p) == (1, 2, None)
    assert Point(5) < Point(6) and hash(p) == hash((1, 2, None))
    assert Point._fields == TypingPoint._fields and Point._field_defaults == TypingPoint._field_defaults
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str | None"}
    assert Point.__doc__ == "A doc string." and Point.__module__ == __name__
    assert Point.__qualname__ == "Point" and repr(p) == "Point(x=1, y=2, label=None)"
    assert pickle.loads(pickle.dumps(p)) == p
    assert isinstance(p, tuple) and issubclass(Point, tuple)


def test_named_tuple_refuses_what_typing_refuses() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        class Bad(NamedTuple):
            a: int = 0
            b: str  # type: ignore[misc]

    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):

        class Overwrites(NamedTuple):
            a: int

            def _replace(self) -> None: ...  # type: ignore[misc]

    with pytest.raises(TypeError):
        NamedTuple("Functional", [("a", int)])


@frozen
class Frozen:
    name: str
    tags: list[str] = field(factory=list)
    note: str = field(default="", compare=False)


@record
class Mutable:
    count: int = 0


def test_records() -> None:
    a = Frozen("x")
    assert a == Frozen("x", [], note="other") and a.tags is not Frozen("x").tags
    with pytest.raises(AttributeError, match="immutable"):
        a.name = "y"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a and repr(a) == "Frozen(name='x', tags=[], note='')"
    m = Mutable()
    m.count += 1
    assert m == Mutable(1)
    with pytest.raises(TypeError, match="takes the fields count"):
        Mutable(1, 2)  # type: ignore[call-arg]
