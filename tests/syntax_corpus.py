"""Python code to check the analysis against LibCST on: the fixtures and examples, two syntax
zoos (syntax and scoping rules the fixtures may lack) and a few standard-library modules."""

from __future__ import annotations

import functools
import sysconfig
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_MODULES = ("dataclasses.py", "string.py", "asyncio/tasks.py", "re/_parser.py", "functools.py", "ast.py")

# Syntax: every field a walk can skip (f-string format specs, `import *`), match statements,
# type parameters, walrus, star expressions, decorators, lambdas, async.
ZOO = """
from . import *
from .a import (b as c, d)
import x.y as z
@dec(1)
class C[T: int = str, *Ts, **P](B, metaclass=M):
    x: int = 1
    async def f(self, a, /, b=2, *args, c: "C", **kw) -> "list[C]":
        async with a as (q, r), b:
            async for i in aiter():
                yield [j async for j in i if (k := j)]
        return f"{a!r:>{b}} {c=} {d:{e}.{f}}" f"{g}" "h"
def g(*, x=lambda y, *z: y[1:2, ::3], **k):
    global G; del x; x += 1; x @= y
    match k:
        case {"a": [1, *rest]} | C(b=2) if rest: pass
        case str() as s: raise E from s
    try: pass
    except* (A, B) as e: pass
    finally: assert x, y
type Alias[T] = list[T]
print(not a and b or c is not d, -x, ~y, a if b else c, {**d}, {*s}, (t,), a < b <= c != d)
lazy import json
lazy from os import path as p
print(t"{json} {p!r:>{width}}", {**d for d in ds})
"""

# Scoping: imports of every form, string annotations and type hints (`cast`, `NewType`,
# `TypeVar`, `Literal`), class scopes, `global`/`nonlocal`, comprehensions and walrus,
# binding before and after reads, `del`, `except ... as`, `with ... as`, loop and star
# targets, match captures, type parameters, builtins and their shadowing, attribute chains.
SCOPE_ZOO = r"""
from __future__ import annotations
import os, os.path
import a.b.c
import a.b.c as abc_
import openai as oa
from openai import OpenAI as Client, AsyncOpenAI
from . import sibling
from .. import parent_mod as pm
from .pkg.sub import thing
from ...deep import *
import typing
import typing as t
from typing import cast, NewType, TypeVar, Literal, Optional, List
from typing_extensions import Literal as XLiteral
import typing_extensions
global gg
__all__ = ["f", "C"]
client = oa.OpenAI()
c2 = Client(base_url="x")
os.path.join("a", "b").upper()
a.b.c.d.e()
abc_.x
"abc".join([])
print(len([1]))
print = print
x: "List[C]" = []
y: "Optional['C']" = None
z = cast("C", x)
z2 = t.cast("dict[str, C]", x)
z3 = typing.cast(List["C"], x)
N = NewType("N", "C")
T = TypeVar("T", bound="C")
L: Literal["C", "D"] = "C"
L2: XLiteral["C"] = "C"
L3: typing_extensions.Literal["x"]
bad: "not valid python ("
bb: b"C"
cc: "C" "D"
ff: f"{C}"
nested: "List['Optional[\"C\"]']"
q: List["C"]
w = List["C"]
u: "lambda k: k"
v: "(yy := 3)"
def deco(fn): return fn
G = 1
class C(Base, metaclass=Meta):
    attr = 1
    other: int = attr
    def method(self, arg: "C" = attr, *args: int, kw=G, **kwargs) -> "C":
        global G
        G = 2
        print(attr)
        attr = 3
        def inner():
            nonlocal arg
            arg = 4
            return arg, self
        return inner
    @staticmethod
    @deco
    def s(): return C, attr
    class Inner:
        attr2 = attr
        def m(self): return attr2
    lst = [attr for _ in range(3)]
    lam = lambda q=attr: q + attr
def gen():
    global gg, hh
    import gg.sub
    total = 0
    data = [[1, 2], [3]]
    flat = [v for row in data for v in row if v if (total := total + v)]
    print(total)
    s = {k: v for k, v in {}.items()}
    g = (i async for i in aiter() if i)
    for i, (j, *rest) in enumerate(data):
        del j
        i += 1
    else:
        pass
    while (n := len(data)) > 10:
        break
    with open("f") as fh, open("g") as (gh, hh):
        fh.read()
    try:
        pass
    except (ValueError, TypeError) as err:
        print(err)
    finally:
        del total
    x = x + 1
    for x in x: pass
    [x for x in x]
    match data:
        case [1, *others] | {"k": others, **kw}:
            print(others)
        case C(attr=3, other=o) if o:
            pass
        case str() as s2:
            print(s2)
    class K:
        def m(self):
            nonlocal kk
            kk = 1
    kk = 0
    return flat
def unbound():
    print(later)
    later = 1
class P[T: int = str, *Ts, **Ps](Generic):
    def m[U](self, a: T, b: U) -> Ts: ...
type Alias[K] = dict[K, P]
def generic[X: (int, str)](x: X) -> X: return x
cls_var = 1
class Q:
    cls_var = cls_var
    def m(self):
        print(cls_var)
        cls_var = 3
x[0] = 2
x.attr = 3
(a1, b1), [c1, *d1] = 1, 2
e1 = f1 = 3
lambda: undefined_in_lambda
import pkg.mod as alias_mod
alias_mod.thing()
(print)(1)
get_thing().attr.call()
x[0].y.z
"""


def corpus_paths() -> list[Path]:
    return sorted([*ROOT.glob("fixtures/**/*.py"), *ROOT.glob("examples/**/*.py")]) + [
        STDLIB / name for name in STDLIB_MODULES
    ]


def _label(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.relative_to(STDLIB))


def names() -> list[str]:
    """Every module's name (cheap: nothing is parsed until a test asks, see `parsed`)."""
    return ["zoo", "scope zoo"] + [_label(p) for p in corpus_paths()]


@functools.cache
def parsed(name: str) -> cst.Module | None:
    if name == "zoo":
        return cst.parse_module(ZOO)
    if name == "scope zoo":
        return cst.parse_module(SCOPE_ZOO)
    path = ROOT / name if (ROOT / name).exists() else STDLIB / name
    try:
        return cst.parse_module(path.read_bytes())
    except (cst.ParserSyntaxError, cst.CSTValidationError):
        return None


@functools.cache
def modules() -> list[tuple[str, cst.Module]]:
    """Every module that parses (fixtures of unparseable files left out), parsed once."""
    return [(name, module) for name in names() if (module := parsed(name)) is not None]
