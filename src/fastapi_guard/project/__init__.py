"""The Project index: everything rules may ask about one project, built once.

Facets are built lazily on first use, so a run that selects only file-local
rules never pays for the router mount tree or the model catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_guard.config import Config
from fastapi_guard.project.names import NameResolver, Resolved
from fastapi_guard.project.symbols import ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.inference import Inference
    from fastapi_guard.project.errors import ErrorIndex
    from fastapi_guard.project.fastapi import FastAPIIndex
    from fastapi_guard.project.layout import Layout
    from fastapi_guard.project.pydantic import SchemaIndex
    from fastapi_guard.project.sqlalchemy import ModelIndex


@lru_cache(maxsize=64)
def root_package(root: Path) -> tuple[str, ...]:
    """The package names of ``root`` and its parents when the project root is itself
    inside a package (``open_webui/`` checked directly): its modules keep their
    importable names (``open_webui.main``), so absolute imports still resolve."""
    parts: list[str] = []
    folder = root
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return tuple(parts)


def module_name_for(root: Path, path: Path) -> tuple[str, bool]:
    """The dotted module name of ``path`` in the project, and whether it is a package."""
    relative = path.relative_to(root).with_suffix("")
    parts = [*root_package(root), *relative.parts]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or "__init__", is_package


class Project:
    """One project (a folder with its own config) and the index over its modules."""

    def __init__(self, root: Path, config: Config, modules: Iterable[ModuleInfo]) -> None:
        self.root = root
        self.config = config
        # Every file, even one whose module name another file also claims.
        self.by_path: dict[str, ModuleInfo] = {module.path: module for module in modules}
        self.modules: dict[str, ModuleInfo] = {}
        for module in self.by_path.values():
            kept = self.modules.get(module.name)
            # With ``foo.py`` beside ``foo/__init__.py``, Python imports the package.
            if kept is None or (module.is_package and not kept.is_package):
                self.modules[module.name] = module
        self.names = NameResolver(self.modules)

    def resolve(self, qualname: str) -> Resolved:
        return self.names.resolve_dotted(qualname)

    @cached_property
    def inference(self) -> Inference:
        """astroid, for values the index cannot settle statically (built lazily)."""
        from fastapi_guard.inference import Inference

        return Inference(self.modules, self.names.find_module)

    @cached_property
    def fastapi(self) -> FastAPIIndex:
        from fastapi_guard.project.fastapi import FastAPIIndex

        return FastAPIIndex(self)

    @cached_property
    def models(self) -> ModelIndex:
        from fastapi_guard.project.sqlalchemy import ModelIndex

        return ModelIndex(self)

    @cached_property
    def schemas(self) -> SchemaIndex:
        from fastapi_guard.project.pydantic import SchemaIndex

        return SchemaIndex(self)

    @cached_property
    def errors(self) -> ErrorIndex:
        """Exception and response classes, and the exception handlers that map them (FG4xx)."""
        from fastapi_guard.project.errors import ErrorIndex

        return ErrorIndex(self)

    @cached_property
    def layout(self) -> Layout:
        from fastapi_guard.project.layout import Layout

        return Layout(self)
