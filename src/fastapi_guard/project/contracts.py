"""Endpoint contracts: what each endpoint reads from the request and says it returns.

Built on the FastAPI facet's endpoints. A parameter's source follows FastAPI's
own rules: an explicit marker (``Body()``, ``Query()``, ``Depends()``, ...,
as a default or inside ``Annotated``) decides; otherwise a path placeholder
makes a path parameter, framework types (``Request``, ``BackgroundTasks``,
``UploadFile``) are injected, complex types (Pydantic models, dicts, lists,
dataclasses) are read from the body and everything else from the query.
The response side is read from each route registration's options
(``response_model=``, ``status_code=``, ``response_class=``, ``responses=``),
the return annotation and the returned values.
"""

from __future__ import annotations

import ast
import http
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.fastapi import Endpoint
from fastapi_guard.project.fastapi_walk import keyword, parameter_slots, returned_values
from fastapi_guard.project.localwrites import Write, WriteIndex
from fastapi_guard.project.router_model import Registration
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode
from fastapi_guard.project.typeexpr import MAPPINGS, SEQUENCES, Leaf

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.pydantic import SchemaIndex

BodyKind = Literal["none", "opaque", "response", "data"]
Source = Literal["body", "form", "file", "query", "path", "header", "cookie", "dependency", "model", "injected"]
MARKERS: dict[str, Source] = {
    "Body": "body", "Form": "form", "File": "file", "Query": "query", "Path": "path",
    "Header": "header", "Cookie": "cookie", "Depends": "dependency", "Security": "dependency",
}
REQUEST_CLASSES = frozenset({"fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request"})
INJECTED = REQUEST_CLASSES | frozenset({
    "fastapi.WebSocket", "fastapi.websockets.WebSocket", "starlette.websockets.WebSocket",
    "starlette.requests.HTTPConnection", "fastapi.Response", "fastapi.responses.Response",
    "starlette.responses.Response", "fastapi.BackgroundTasks", "fastapi.background.BackgroundTasks",
    "starlette.background.BackgroundTasks", "fastapi.security.SecurityScopes",
})
UPLOADS = frozenset({"fastapi.UploadFile", "fastapi.datastructures.UploadFile", "starlette.datastructures.UploadFile"})
DATACLASSES = frozenset({"dataclasses.dataclass", "pydantic.dataclasses.dataclass"})
# Values that are JSON data as written, and calls that make data of anything.
DATA_NODES = (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.ListComp, ast.DictComp, ast.SetComp, ast.JoinedStr)
DATA_BUILDERS = frozenset({
    "builtins.dict", "builtins.list", "builtins.str", "builtins.int", "builtins.float", "builtins.bool",
    "builtins.sorted", "builtins.len", "fastapi.encoders.jsonable_encoder", "json.loads",
})
SERIALIZERS = frozenset({"model_dump", "dict", "json", "to_dict", "as_dict"})
KIND_ORDER: tuple[BodyKind, ...] = ("data", "response", "opaque", "none")
# Statuses whose responses carry no body.
NO_BODY_STATUSES = frozenset({204, 205, 304})
PATH_PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")
STATUS_NAME = re.compile(r"HTTP_(\d{3})(?:_|$)")
# Project classes and helper functions are followed this deep when asking "is this a Response?".
MAX_DEPTH = 8


@dataclass(frozen=True)
class Parameter:
    """One handler parameter and where FastAPI takes its value from."""

    argument: ast.arg
    source: Source
    leaves: tuple[Leaf, ...]  # the types it names, through containers

    @property
    def name(self) -> str:
        return self.argument.arg


@dataclass(frozen=True)
class RouteOptions:
    """The options of one route registration: the decorator or ``add_api_route`` call."""

    registration: Registration
    call: ast.Call

    def option(self, name: str) -> ast.expr | None:
        return keyword(self.call, name)

    @property
    def websocket(self) -> bool:
        return self.registration.methods == ("WEBSOCKET",)


class Contract:
    """The request and response contract of one endpoint."""

    def __init__(self, contracts: Contracts, endpoint: Endpoint) -> None:
        self.contracts = contracts
        self.endpoint = endpoint
        self.module: ModuleInfo = endpoint.module
        self.function: FunctionNode = endpoint.function
        self.scopes: tuple[ScopeNode, ...] = contracts.project.fastapi.graph.enclosing(endpoint.function)

    @property
    def label(self) -> str:
        method, path = self.endpoint.pairs[0] if self.endpoint.pairs else ("GET", "")
        return f"{method} {path or '/'}"

    @property
    def is_webhook(self) -> bool:
        return any("webhook" in route.path.lower() for route in self.endpoint.routes)

    @cached_property
    def options(self) -> list[RouteOptions]:
        found: dict[int, RouteOptions] = {}
        for route in self.endpoint.routes:
            registration = route.registration
            node = registration.node
            call = node.func if isinstance(node, ast.Call) and isinstance(node.func, ast.Call) else node
            if isinstance(call, ast.Call) and id(call) not in found:
                found[id(call)] = RouteOptions(registration, call)
        return list(found.values())

    @cached_property
    def parameters(self) -> list[Parameter]:
        path_names = {name for route in self.endpoint.routes for name in PATH_PARAMETER.findall(route.path)}
        return [self._parameter(argument, default, path_names) for argument, default in parameter_slots(self.function)]

    @cached_property
    def request_names(self) -> frozenset[str]:
        """Names of the parameters FastAPI fills with the raw ``Request``."""
        return frozenset(
            parameter.name for parameter in self.parameters
            if parameter.source == "injected" and any(leaf.qualname in REQUEST_CLASSES for leaf in parameter.leaves)
        )

    def _parameter(self, argument: ast.arg, default: ast.expr | None, path_names: set[str]) -> Parameter:
        reader = self.contracts.types
        annotation = argument.annotation
        direct = reader.leaves(self.module, annotation, self.scopes, containers=False)
        leaves = tuple(reader.leaves(self.module, annotation, self.scopes))
        # Each marker with the module its names resolve in (an ``Annotated`` alias may live elsewhere).
        markers = [(call, leaf.module, leaf.scopes) for leaf in direct for call in leaf.extras]
        markers.append(self._constant(default))
        found = [(source, call, module, scopes) for call, module, scopes in markers
                 if isinstance(call, ast.Call) and (source := self._marker(call, module, scopes)) is not None]
        if found:
            source, call, module, scopes = found[-1]
            if source == "dependency" and self._depends_on_model(call, module, scopes, direct):
                source = "model"
            return Parameter(argument, source, leaves)
        qualnames = {leaf.qualname for leaf in leaves}
        if qualnames & INJECTED:
            source: Source = "injected"
        elif qualnames & UPLOADS:
            source = "file"
        elif argument.arg in path_names:
            source = "path"
        elif any(self._complex(leaf) for leaf in direct):
            source = "body"
        else:
            source = "query"
        return Parameter(argument, source, leaves)

    def _constant(self, default: ast.expr | None) -> tuple[ast.expr | None, ModuleInfo, tuple[ScopeNode, ...]]:
        """A default that names a module constant (``user = ManagerOnly``) stands for its value."""
        if isinstance(default, (ast.Name, ast.Attribute)):
            resolved = self.contracts.project.names.resolve_expr(self.module, default, self.scopes)
            binding = resolved.binding if resolved else None
            module_constant = binding is not None and binding.kind == "value" and "<locals>" not in binding.qualname
            if resolved and resolved.module and binding and module_constant and isinstance(binding.node, ast.Call):
                return binding.node, resolved.module, ()
        return default, self.module, self.scopes

    def _marker(self, call: ast.Call, module: ModuleInfo, scopes: tuple[ScopeNode, ...]) -> Source | None:
        qualname = self.contracts.types.qualname(module, call.func, scopes)
        if not qualname.startswith("fastapi."):
            return None
        return MARKERS.get(qualname.rsplit(".", 1)[-1])

    def _depends_on_model(
        self, call: ast.Call, module: ModuleInfo, scopes: tuple[ScopeNode, ...], direct: list[Leaf]
    ) -> bool:
        """``Depends()`` / ``Depends(Model)`` on a Pydantic model: its fields are query parameters."""
        target = call.args[0] if call.args else keyword(call, "dependency")
        schemas = self.contracts.schemas
        if target is None:
            return any(schemas.get(leaf.qualname) is not None for leaf in direct)
        return schemas.get(self.contracts.types.qualname(module, target, scopes)) is not None

    def _complex(self, leaf: Leaf) -> bool:
        qualname = leaf.qualname
        if qualname in MAPPINGS or qualname in SEQUENCES or self.contracts.schemas.get(qualname) is not None:
            return True
        return self.contracts.is_dataclass(qualname)

    # -- response side -----------------------------------------------------------------------

    def status(self, options: RouteOptions) -> int | None:
        value = options.option("status_code")
        if isinstance(value, ast.Constant) and isinstance(value.value, int):
            return value.value
        if not isinstance(value, (ast.Name, ast.Attribute)):
            return None
        name = self.contracts.types.qualname(self.module, value, self.scopes).rsplit(".", 1)[-1]
        match = STATUS_NAME.match(name)
        if match:
            return int(match.group(1))
        member = getattr(http.HTTPStatus, name, None)
        return member.value if isinstance(member, http.HTTPStatus) else None

    def no_body(self, options: RouteOptions) -> bool:
        return self.status(options) in NO_BODY_STATUSES

    def response_types(self) -> Iterator[ast.expr]:
        """What the endpoint declares it returns: ``response_model=`` (else the return
        annotation) of each registration, and the models of ``responses={...}``."""
        annotated = False
        for options in self.options:
            model = options.option("response_model")
            if model is not None:
                yield model
            elif not annotated and self.function.returns is not None:
                annotated = True
                yield self.function.returns
            extra = options.option("responses")
            if isinstance(extra, ast.Dict):
                for value in extra.values:
                    if isinstance(value, ast.Dict):
                        yield from (item for key, item in zip(value.keys, value.values)
                                    if isinstance(key, ast.Constant) and key.value == "model")

    def body_kind(self) -> BodyKind:
        """What the handler returns, see ``Contracts.returned_kind``."""
        return self.contracts.returned_kind(self.module, self.function, WriteIndex())


class Contracts:
    """Contracts of every endpoint of the project, built on demand."""

    def __init__(self, project: Project, schemas: SchemaIndex) -> None:
        self.project = project
        self.schemas = schemas
        self.types = schemas.types
        self.values = schemas.values
        self._by_endpoint: dict[int, Contract] = {}

    def of(self, endpoint: Endpoint) -> Contract:
        contract = self._by_endpoint.get(id(endpoint))
        if contract is None:
            contract = self._by_endpoint[id(endpoint)] = Contract(self, endpoint)
        return contract

    @cached_property
    def all(self) -> list[Contract]:
        return [self.of(endpoint) for endpoint in self.project.fastapi.endpoints]

    def is_dataclass(self, qualname: str) -> bool:
        definition = self.project.names.definition(qualname)
        node = definition.node if definition else None
        if definition is None or definition.module is None or not isinstance(node, ast.ClassDef):
            return False
        return any(
            self.types.qualname(definition.module, decorator.func if isinstance(decorator, ast.Call) else decorator)
            in DATACLASSES
            for decorator in node.decorator_list
        )

    def is_response_class(self, qualname: str) -> bool:
        """A Starlette ``Response`` class or a project subclass of one (the errors facet knows the
        ancestry). Library classes named ``*Response`` (``EventSourceResponse``) count too: their
        own bases cannot be read."""
        info = self.project.errors.info(qualname)
        return info.is_response or any(self._library_response(name) for name in info.ancestors)

    def _library_response(self, qualname: str) -> bool:
        name = qualname.rsplit(".", 1)[-1].lstrip("_")
        return "." in qualname and name.endswith("Response") and name[:1].isupper() \
            and self.project.names.definition(qualname) is None and self.schemas.get(qualname) is None

    def returned_kind(self, module: ModuleInfo, function: FunctionNode, writes: WriteIndex, depth: int = 0) -> BodyKind:
        """What a function returns: ``data`` when some returned value is surely data FastAPI
        serializes (a literal, a dumped model, an instance of a non-``Response`` class, a call
        annotated to return one), else ``response`` when some value is a ``Response``, else
        ``opaque`` (values the index cannot read), else ``none`` (no value at all)."""
        scopes = (*self.project.fastapi.graph.enclosing(function), function)
        return combine(self.value_kind(module, value, scopes, writes, depth) for value in returned_values(function))

    def value_kind(
        self, module: ModuleInfo, value: ast.expr, scopes: tuple[ScopeNode, ...], writes: WriteIndex, depth: int = 0
    ) -> BodyKind:
        if depth > MAX_DEPTH:
            return "opaque"
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Constant):
            return "none" if value.value is None else "data"
        if isinstance(value, DATA_NODES):
            return "data"
        if isinstance(value, ast.IfExp):
            branches = (value.body, value.orelse)
            return combine(self.value_kind(module, item, scopes, writes, depth + 1) for item in branches)
        if isinstance(value, ast.Call):
            return self._call_kind(module, value, scopes, writes, depth)
        if isinstance(value, ast.Name) and scopes and value.id in writes.of(scopes[-1]):
            return combine(self._write_kind(module, write, scopes, writes, depth)
                           for write in writes.of(scopes[-1])[value.id])
        return "opaque"

    def _write_kind(self, module: ModuleInfo, write: Write, scopes: tuple[ScopeNode, ...], writes: WriteIndex,
                    depth: int) -> BodyKind:
        if write.kind == "param":
            return self._annotated_kind(module, write.value, scopes[:-1]) if write.value is not None else "opaque"
        if write.kind == "assign" and write.value is not None:
            return self.value_kind(module, write.value, scopes, writes, depth + 1)
        return "opaque"

    def _annotated_kind(
        self, module: ModuleInfo, annotation: ast.expr | None, scopes: tuple[ScopeNode, ...]
    ) -> BodyKind:
        leaves = [leaf for leaf in self.types.leaves(module, annotation, scopes) if not leaf.is_none]
        if any(self.is_response_class(leaf.qualname) for leaf in leaves):
            return "response"
        return "data" if leaves else "none"

    def _call_kind(
        self, module: ModuleInfo, call: ast.Call, scopes: tuple[ScopeNode, ...], writes: WriteIndex, depth: int
    ) -> BodyKind:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in SERIALIZERS:
            return "data"
        if isinstance(func, ast.Attribute) and func.attr == "TemplateResponse":
            return "response"
        made = self.values.instance_of(module, call, scopes, writes)
        if made is not None:
            return "response" if self.is_response_class(made.qualname) else "data"
        called = self.values.callee(module, func, scopes, writes)
        if called is not None:
            if called[1].returns is not None:
                scopes = self.project.fastapi.graph.enclosing(called[1])
                return self._annotated_kind(called[0], called[1].returns, scopes)
            return self.returned_kind(called[0], called[1], writes, depth + 1)
        if self.types.qualname(module, func, scopes) in DATA_BUILDERS:
            return "data"
        return "opaque"


def combine(kinds: Iterable[BodyKind]) -> BodyKind:
    found = set(kinds)
    return next((kind for kind in KIND_ORDER if kind in found), "none")
