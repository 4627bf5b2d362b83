"""Record classes generated once from their annotations: fields written once, slots, ``==``, repr.

``dfcheck check`` starts in a pre-commit hook on every commit, so the classes on its start-up path
cannot be dataclasses (creating one costs about 300 µs and imports ``inspect``) and should not be
``NamedTuple`` (about 100 µs each, and tuples compare by position). :func:`record` and
:func:`frozen` turn an annotated class into a slotted class in about 10 µs: keyword or positional
construction with defaults (:func:`field` for a fresh ``list`` per record, or to leave a field out
of ``==``), field-wise equality, a dataclass-style repr that survives cycles, pickling.
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


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class, in declaration order."""
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    return names
