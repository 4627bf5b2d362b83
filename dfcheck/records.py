"""Record classes generated once from their annotations: fields written once, slots, ``==``, repr.

``dfcheck check`` starts in a pre-commit hook on every commit, so the classes on its start-up path
cannot be dataclasses (creating one costs about 300 µs and imports ``inspect``) and should not be
``typing.NamedTuple`` (about 100 µs each, and tuples compare by position). :func:`record` and
:func:`frozen` turn an annotated class into a slotted class in about 10 µs: keyword or positional
construction with defaults (:func:`field` for a fresh ``list`` per record, or to leave a field out
of ``==``), field-wise equality, a dataclass-style repr that survives cycles, pickling.

Where a value must be a tuple (unpacked, hashed, sorted), :class:`NamedTuple` here is
``typing.NamedTuple`` for type checkers and at run time the same ``collections.namedtuple`` class
built without ``typing`` checking each annotation (which compiles every string annotation:
about 70 of the 110 µs a class costs; 41 such classes made a cold check 3 ms slower).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda decorator: decorator


_T = TypeVar("_T")
_V = TypeVar("_V")
#: ids of the records whose repr is being built, so cycles print as ``...``.
_REPR_RUNNING: set[int] = set()
_NO_DEFAULT: Any = object()


class _Field:
    __slots__ = ("compare", "default", "factory")

    def __init__(self, default: Any, factory: Callable[[], Any] | None, compare: bool) -> None:
        self.default = default
        self.factory = factory
        self.compare = compare


@overload
def field(*, default: _V, compare: bool = True) -> _V: ...
@overload
def field(*, factory: Callable[[], _V], compare: bool = True) -> _V: ...
def field(
    *, default: Any = _NO_DEFAULT, factory: Callable[[], Any] | None = None, compare: bool = True
) -> Any:
    """A field's default built anew for each record (``factory=list``), or a field ``==`` ignores."""
    return _Field(default, factory, compare)


def _build(cls: type[_T], frozen: bool) -> type[_T]:
    names = tuple(
        n for n, a in cls.__annotations__.items() if not n.startswith("_") and "ClassVar" not in str(a)
    )
    spec = {n: cls.__dict__.get(n, _NO_DEFAULT) for n in names}
    factories = {n: s.factory for n, s in spec.items() if isinstance(s, _Field) and s.factory is not None}
    defaults = {
        n: (s.default if isinstance(s, _Field) else s)
        for n, s in spec.items()
        if n not in factories and (s.default if isinstance(s, _Field) else s) is not _NO_DEFAULT
    }
    compared = tuple(n for n, s in spec.items() if not (isinstance(s, _Field) and not s.compare))
    known = frozenset(names)
    setter = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names) or not kwargs.keys() <= known or kwargs.keys() & set(names[: len(args)]):
            raise TypeError(f"{cls.__name__}() takes the fields {', '.join(names)}, each once")
        for name, value in zip(names[: len(args)], args, strict=True):
            setter(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                setter(self, name, kwargs[name])
            elif name in defaults:
                setter(self, name, defaults[name])
            elif name in factories:
                setter(self, name, factories[name]())
            else:
                raise TypeError(f"{cls.__name__}() misses the field '{name}'")

    def key(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in compared)

    def __eq__(self: Any, other: object) -> bool:
        return key(self) == key(other) if other.__class__ is self.__class__ else NotImplemented

    def __repr__(self: Any) -> str:
        if id(self) in _REPR_RUNNING:
            return "..."
        _REPR_RUNNING.add(id(self))
        try:
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        finally:
            _REPR_RUNNING.discard(id(self))
        return f"{cls.__qualname__}({inner})"

    body = {k: v for k, v in cls.__dict__.items() if k not in spec and k not in ("__dict__", "__weakref__")}
    extra = tuple(body.pop("__slots__", ()))
    body.update(
        __slots__=(*names, *extra), __init__=__init__, __eq__=__eq__, __hash__=None, __repr__=__repr__
    )
    if frozen:

        def refuse(self: Any, name: str, *_: Any) -> None:
            raise AttributeError(f"{cls.__name__} is immutable: cannot change '{name}'")

        body.update(
            __setattr__=refuse,
            __delattr__=refuse,
            __reduce__=lambda self: (built, tuple(getattr(self, n) for n in names)),
        )
    built: type[_T] = type(cls.__name__, cls.__bases__, body)
    return built


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[_T]) -> type[_T]:
    """``cls`` as a mutable slotted record of its annotated fields."""
    return _build(cls, frozen=False)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[_T]) -> type[_T]:
    """``cls`` as an immutable slotted record of its annotated fields (derive changes by building a new one)."""
    return _build(cls, frozen=True)


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    import collections

    #: What typing.NamedTuple forbids a class body to define, and what it does not copy from it.
    _PROHIBITED = frozenset(
        {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace",
         "_asdict", "_source"}
    )  # fmt: skip
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        """typing.NamedTupleMeta without its annotation check (the annotations stay strings)."""

        def __new__(cls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            if bases != (_NamedTupleBase,):
                raise TypeError("a NamedTuple can only inherit from NamedTuple")
            annotations = ns.get("__annotations__", {})
            defaults = [name for name in annotations if name in ns]
            if defaults and list(annotations)[-len(defaults) :] != defaults:
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            built = collections.namedtuple(
                typename, list(annotations), defaults=[ns[n] for n in defaults], module=ns["__module__"]
            )
            built.__annotations__ = built.__new__.__annotations__ = dict(annotations)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in built._fields:
                    setattr(built, key, value)
            return built

    _NamedTupleBase = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

    def NamedTuple(*_: Any, **__: Any) -> Any:
        raise TypeError("use the class syntax: class Name(NamedTuple): ...")

    NamedTuple.__mro_entries__ = lambda bases: (_NamedTupleBase,)


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class, in declaration order."""
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    return names
