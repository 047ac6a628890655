"""The layout the design asks for: core without Streamlit, one door to the database, thin pages."""
import ast

from core.paths import ROOT


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_streamlit():
    for path in (ROOT / "core").rglob("*.py"):
        assert not [m for m in _imports(path) if m.split(".")[0] == "streamlit"], path


def test_pages_never_import_sqlalchemy():
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "ui").glob("*.py")) + [ROOT / "app.py"]:
        assert not [m for m in _imports(path) if m.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3")], path


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    from core.store.opening import open_store
    store = open_store(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    assert store.read("PRAGMA journal_mode")["journal_mode"].iloc[0] == "wal"
    assert store.read("PRAGMA foreign_keys")["foreign_keys"].iloc[0] == 1


# -- the packages of core and the one way their imports flow ------------------------------------------------
# Each package may import its own modules and those of packages listed before it, never one listed after it.
LAYERS = ("core.paths", "core.policy", "core.present", "core.store", "core.refresh", "core.read", "core.access",
          "core.demo", "core.ingest", "core.cli")


def _module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _core_imports(path):
    """(module imported, line, whether inside a function) for every import of a core module in the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            # `from core.x import y`: y may be a module of package core.x
            targets = [f"{base}.{a.name}" if _is_module(f"{base}.{a.name}") else base for a in node.names]
        for t in targets:
            if t == "core" or t.startswith("core."):
                yield t, node.lineno, id(node) in inside


def _is_module(name: str) -> bool:
    rel = ROOT.joinpath(*name.split("."))
    return rel.with_suffix(".py").exists() or (rel / "__init__.py").exists()


def _layer(module: str) -> int:
    ranks = [i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")]
    return ranks[0] if ranks else -1


def _core_files():
    return sorted((ROOT / "core").rglob("*.py"))


def test_every_core_module_lies_in_a_layer():
    """Besides core/__init__ and core/__main__ (the command line's entry), every module of core is in a package
    of LAYERS, and every package states its one job in its docstring."""
    loose = [p for p in _core_files() if _layer(_module_name(p)) < 0 and p.name not in ("__init__.py", "__main__.py")]
    assert not loose
    for layer in LAYERS[1:]:
        init = ROOT.joinpath(*layer.split("."), "__init__.py")
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_imports_never_run_up_a_layer():
    upward = []
    for path in _core_files():
        me = _module_name(path)
        for target, line, _ in _core_imports(path):
            if _layer(me) >= 0 and _layer(target) > _layer(me):
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert not upward, "\n".join(upward)


def test_core_imports_its_own_modules_at_the_top():
    """An import of a core module inside a function hides a dependency (or a cycle): none."""
    hidden = [f"{p.relative_to(ROOT)}:{line} imports {t}" for p in _core_files()
              for t, line, inside in _core_imports(p) if inside]
    assert not hidden, "\n".join(hidden)


def test_no_import_cycle():
    graph = {_module_name(p): {t for t, _, _ in _core_imports(p)} for p in _core_files()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt == node:
                continue
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


def test_the_layer_checks_see_a_wrong_import(tmp_path, monkeypatch):
    """The checks above would fail on a policy module importing the store."""
    bad = ROOT / "core" / "policy" / "_layer_probe.py"
    bad.write_text("from core.store import db\n\n\ndef f():\n    from core.refresh import marts\n", encoding="utf-8")
    try:
        found = list(_core_imports(bad))
        assert ("core.store.db", 1, False) in found and ("core.refresh.marts", 5, True) in found
        assert _layer("core.store.db") > _layer(_module_name(bad))
    finally:
        bad.unlink()


def test_the_readme_and_the_architecture_name_every_package_in_its_layer():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    drawn = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = drawn[drawn.index("```"):drawn.index("```", drawn.index("```") + 3)]
    rows, found = [], []
    for layer in LAYERS:
        path = layer.replace(".", "/") + ("/" if layer != "core.paths" else ".py")
        assert f"`{path}`" in layout, path
        rows.append(layout.index(f"`{path}`"))
        found.append(picture.index(f"   {layer.split('.')[1]} ") if layer != "core.paths" else picture.index(" paths "))
    assert rows == sorted(rows) and found == sorted(found), "the README and the picture list the layers in order"
    packages = {p.name for p in (ROOT / "core").iterdir() if (p / "__init__.py").exists()}
    assert packages == {layer.split(".")[1] for layer in LAYERS[1:]}
