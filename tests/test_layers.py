"""The core never reaches up into I/O, CLI, service or storage layers."""

import ast
import pathlib

import pytest

PKG = pathlib.Path(__file__).resolve().parent.parent / "dedup"

# Layer order, lowest first. A module may import only from its own layer or below.
LAYERS = [
    {"errors", "records", "params"},
    {"normalize"},
    {"fingerprint", "segment", "align", "credits", "dateline"},
    {"verify", "drift"},
    {"cluster", "candidates"},
    {"ingest", "index", "report", "engines", "scan"},
    {"service", "cli", "__main__"},
]
CORE = set().union(*LAYERS[:5])
EDGE_ONLY = {"click", "fastapi", "uvicorn", "psycopg", "sqlite3", "rich", "trafilatura", "httpx"}


def _layer(name: str) -> int:
    for i, layer in enumerate(LAYERS):
        if name in layer:
            return i
    raise AssertionError(f"module dedup.{name} is in no layer; add it to LAYERS in {__file__}")


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        yield rel.parts[0].removesuffix(".py"), path


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg_parts = path.relative_to(PKG.parent).with_suffix("").parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg_parts[: len(pkg_parts) - node.level])
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    for alias in node.names:
                        yield f"{mod}.{alias.name}"
                else:
                    yield mod
            elif node.module:
                yield node.module


@pytest.mark.parametrize("top,path", list(_modules()), ids=lambda v: str(v) if isinstance(v, str) else v.name)
def test_imports_point_down(top, path):
    if top == "__init__":
        return
    mine = _layer(top)
    for target in _imports(path):
        parts = target.split(".")
        is_module = len(parts) > 1 and (
            (PKG / f"{parts[1]}.py").exists() or (PKG / parts[1]).is_dir()
        )
        if parts[0] == "dedup" and is_module:
            other = parts[1]
            if other == top:
                continue
            assert _layer(other) <= mine, f"{path.name} (layer {mine}) imports dedup.{other} (layer {_layer(other)})"
        if top in CORE:
            assert parts[0] not in EDGE_ONLY, f"core module {path.name} imports {parts[0]}"
