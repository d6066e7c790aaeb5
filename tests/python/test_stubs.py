"""The hand-written _sidecar.pyi agrees with the native module: same public
names, same classes with the same members, same parameters in the same order."""
import ast
import enum
import pathlib
import re

import pytest

import sidecar
import sidecar._sidecar as native

STUB = pathlib.Path(sidecar.__file__).with_name("_sidecar.pyi")
DUNDER_KEPT = {"__init__", "__enter__", "__exit__"}


def stub_tree():
    return ast.parse(STUB.read_text())


def public(names):
    return {n for n in names if not n.startswith("_") or n == "__version__"}


def stub_top_level():
    out = {}
    for node in stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node
    return {k: v for k, v in out.items() if not k.startswith("_") or k == "__version__"}


def native_params(func):
    """Parameter names (and whether each has a default) from a pybind11 docstring signature."""
    doc = func.__doc__ or ""
    first = doc.strip().splitlines()[0]
    m = re.match(r"^\w+\((.*)\)\s*->", first)
    assert m, f"no signature in {func!r}: {first!r}"
    args = m.group(1)
    # Split at top-level commas.
    parts, depth, cur = [], 0, ""
    for ch in args:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    out = []
    for p in parts:
        if p.startswith("**"):
            out.append(("**" + p[2:].split(":")[0].strip(), False))
            continue
        name = p.split(":")[0].split("=")[0].strip()
        out.append((name, "=" in p))
    return [x for x in out if x[0] != "self"]


def stub_params(fn):
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args]
    defaults = [False] * (len(names) - len(a.defaults)) + [True] * len(a.defaults)
    out = [(n, d) for n, d in zip(names, defaults) if n != "self"]
    out += [(x.arg, d is not None) for x, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.kwarg:
        out.append(("**" + a.kwarg.arg, False))
    return out


def test_same_public_names():
    assert set(stub_top_level()) == public(dir(native))


def test_the_package_reexports_everything():
    assert set(sidecar.__all__) == public(dir(native))
    for name in sidecar.__all__:
        assert getattr(sidecar, name) is getattr(native, name)


@pytest.mark.parametrize("name", sorted(n for n, v in stub_top_level().items() if isinstance(v, ast.FunctionDef)))
def test_function_signatures(name):
    assert stub_params(stub_top_level()[name]) == native_params(getattr(native, name))


@pytest.mark.parametrize("name", sorted(n for n, v in stub_top_level().items() if isinstance(v, ast.ClassDef)))
def test_class_members(name):
    node = stub_top_level()[name]
    cls = getattr(native, name)
    assert isinstance(cls, type)
    if issubclass(cls, enum.Enum):  # the stub lists the members with their values
        stub_values = {t.id: item.value.value for item in node.body if isinstance(item, ast.Assign) for t in item.targets}
        assert stub_values == {m.name: m.value for m in cls}, name
        return
    stub_members = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            stub_members[item.name] = item
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            stub_members[item.target.id] = item
    native_members = {
        n
        for n in dir(cls)
        if (not n.startswith("_") or n in DUNDER_KEPT) and (n in cls.__dict__) and n not in ("__init__",)
    }
    # __init__: only classes that can be built from Python declare it.
    has_init = (cls.__init__.__doc__ or "").startswith("__init__(")
    expected = set(native_members) | ({"__init__"} if has_init else set())
    assert set(stub_members) == expected, name
    for member, item in stub_members.items():
        obj = cls.__dict__[member]
        is_prop = isinstance(obj, property)
        if isinstance(item, ast.AnnAssign):  # a field: read-only when Final[...], else read-write
            final = isinstance(item.annotation, ast.Subscript) and getattr(item.annotation.value, "id", "") == "Final"
            assert is_prop and (obj.fset is None) == final, f"{name}.{member}: Final must match read-only"
            continue
        decorators = [d.id for d in item.decorator_list if isinstance(d, ast.Name)]
        if "property" in decorators:
            assert is_prop and obj.fset is None, f"{name}.{member} should be a read-only property"
            continue
        assert not is_prop, f"{name}.{member} is a property in the module"
        if member == "__init__":
            overloads = native_params(cls.__init__)
            assert stub_params(item) == overloads, f"{name}.__init__"
        elif member not in ("__enter__",):
            assert stub_params(item) == native_params(obj), f"{name}.{member}"


def test_aliases_point_at_the_same_objects():
    assert native.Match is native.LogMatch
    assert native.parse_cuda_visible_devices is native.parse_requested_devices


def test_every_public_object_has_a_docstring():
    for name in public(dir(native)):
        obj = getattr(native, name)
        if name == "__version__":
            continue
        assert (obj.__doc__ or "").strip(), name
