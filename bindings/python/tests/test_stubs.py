"""The committed stubs (python/ichigen/__init__.pyi) and the runtime module agree:
the same public names, and for each the same kind, parameters, defaults and bases."""

import ast
import inspect
from pathlib import Path

import pytest

import ichigen

STUB = Path(__file__).resolve().parents[1] / "python" / "ichigen" / "__init__.pyi"
PY_TYPED = STUB.parent / "py.typed"

KINDS = {
    "posonly": inspect.Parameter.POSITIONAL_ONLY,
    "arg": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "vararg": inspect.Parameter.VAR_POSITIONAL,
    "kwonly": inspect.Parameter.KEYWORD_ONLY,
    "kwarg": inspect.Parameter.VAR_KEYWORD,
}
NO_DEFAULT = "<required>"


def _public(name):
    return not name.startswith("_") or name == "__version__"


def _stub_params(fn: ast.FunctionDef):
    a = fn.args
    positional = [(p, "posonly") for p in a.posonlyargs] + [(p, "arg") for p in a.args]
    defaults = [NO_DEFAULT] * (len(positional) - len(a.defaults)) + [
        ast.literal_eval(d) for d in a.defaults
    ]
    out = [(p.arg, KINDS[k], d) for (p, k), d in zip(positional, defaults)]
    if a.vararg:
        out.append((a.vararg.arg, KINDS["vararg"], NO_DEFAULT))
    for p, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((p.arg, KINDS["kwonly"], NO_DEFAULT if d is None else ast.literal_eval(d)))
    if a.kwarg:
        out.append((a.kwarg.arg, KINDS["kwarg"], NO_DEFAULT))
    return tuple(out)


def _decorators(fn):
    return {d.id for d in fn.decorator_list if isinstance(d, ast.Name)}


def stub_api(text):
    """{name: description} of the public API the stub declares, and its __all__."""
    api, all_names = {}, None
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and _public(node.name):
            api[node.name] = ("function", _stub_params(node))
        elif isinstance(node, ast.ClassDef) and _public(node.name):
            members = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and _public(item.name):
                    decos = _decorators(item)
                    if "property" in decos:
                        members[item.name] = ("property",)
                    elif "staticmethod" in decos:
                        members[item.name] = ("staticmethod", _stub_params(item))
                    else:
                        members[item.name] = ("method", _stub_params(item)[1:])  # no self
            bases = tuple(ast.unparse(b) for b in node.bases)
            api[node.name] = ("class", bases, members)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if _public(node.target.id):
                api[node.target.id] = ("constant", ast.unparse(node.annotation))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            all_names = ast.literal_eval(node.value)
    return api, all_names


def _runtime_params(obj):
    sig = inspect.signature(obj)
    return tuple(
        (p.name, p.kind, NO_DEFAULT if p.default is inspect.Parameter.empty else p.default)
        for p in sig.parameters.values()
    )


def runtime_api(module):
    api = {}
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            members = {}
            for attr, raw in vars(obj).items():
                if not _public(attr):
                    continue
                if isinstance(raw, staticmethod):
                    members[attr] = ("staticmethod", _runtime_params(getattr(obj, attr)))
                elif isinstance(raw, property) or inspect.isgetsetdescriptor(raw):
                    members[attr] = ("property",)
                elif callable(raw):
                    members[attr] = ("method", _runtime_params(raw)[1:])  # no self
                else:
                    members[attr] = ("attribute",)
            bases = tuple(b.__name__ for b in obj.__bases__ if b is not object)
            api[name] = ("class", bases, members)
        elif callable(obj):
            api[name] = ("function", _runtime_params(obj))
        else:
            api[name] = ("constant", type(obj).__name__)
    return api


def differences(stub_text, module):
    """Every disagreement between a stub text and a module, as readable lines."""
    stub, stub_all = stub_api(stub_text)
    runtime = runtime_api(module)
    out = []
    if stub_all is None or sorted(stub_all) != sorted(module.__all__):
        out.append(f"__all__: stub {stub_all} != runtime {module.__all__}")
    public_runtime = {n for n in dir(module) if _public(n) and n != "annotations"}
    if public_runtime - {"_native"} != set(module.__all__):
        out.append(f"public names not in __all__: {public_runtime ^ set(module.__all__)}")
    for name in sorted(set(stub) | set(runtime)):
        if stub.get(name) != runtime.get(name):
            out.append(f"{name}: stub {stub.get(name)} != runtime {runtime.get(name)}")
    return out


def test_stub_matches_runtime():
    assert differences(STUB.read_text(encoding="utf-8"), ichigen) == []


def test_stub_declares_the_whole_api():
    stub, _ = stub_api(STUB.read_text(encoding="utf-8"))
    for name in [
        "validate_order",
        "parse_order",
        "apply_event",
        "triage",
        "dry_run",
        "RuleSet",
        "holidays",
        "Calendar",
        "ShippingPolicy",
        "BatchPlanner",
        "CalendarError",
        "ShippingError",
        "IdentityError",
        "normalize_name",
        "normalize_kana",
        "normalize_phone",
        "normalize_email",
        "normalize_postal_code",
        "normalize_address",
        "describe_identity_config",
        "resolve_customers",
        "resolve_customers_json",
        "CustomerResolution",
        "CustomerResolver",
        "customer_summary",
        "customer_triage_facts",
        "mask_customer",
        "StockBook",
        "StockError",
        "stock_session",
        "allocate_stock",
        "drop_ship_totals",
        "reorder_quantity",
        "ShipmentPlanner",
        "ShipmentError",
        "largest_remainder",
        "builtin_profiles",
    ]:
        assert stub[name][0] in ("function", "class")


def test_error_attributes_declared_in_stub_exist_on_raised_errors():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    base = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "IchigenError")
    declared = {n.target.id for n in base.body if isinstance(n, ast.AnnAssign)}
    assert declared == {"code", "issues", "message"}
    with pytest.raises(ichigen.IchigenError) as info:
        ichigen.parse_order("{}")
    for attr in declared:
        assert hasattr(info.value, attr)


def test_py_typed_is_shipped():
    assert PY_TYPED.exists()
    installed = Path(ichigen.__file__).parent
    assert (installed / "py.typed").exists()
    # The tests run against the built package, native module included.
    assert list(installed.glob("_native*")), installed


@pytest.mark.parametrize(
    "old, new",
    [
        ("    now: _Now = None,\n) -> _TriageResult", "    when: _Now = None,\n) -> _TriageResult"),
        ("    actor: Optional[_Record] = None,", "    actor: Optional[_Record],"),
        ("def parse_order(order: _Record)", "def parse_order(order: _Record, strict: bool = True)"),
        ("    def rule_ids(self) -> List[str]: ...", "    def rule_id(self) -> List[str]: ..."),
        ("    def to_dict(self) -> Dict[str, Any]: ...", "    def to_dict(self, x: int) -> Any: ..."),
        ("class InputError(IchigenError):", "class InputError(OrderError):"),
        ("SAMPLE_ORDER_JSON: str", "SAMPLE_ORDER_JSON: bytes"),
        ('    "validate_order",\n]', "]"),
        ("def holidays(source: _HolidaySource, year: int)", "def holidays(source: _HolidaySource, year: int = 2026)"),
        ("    def count_business_days(self, start: _Date, end: _Date)", "    def count_business_days(self, from_: _Date, to: _Date)"),
        ("    def plan_order(self, order: _Record, now: _Now = None)", "    def plan_order(self, order: _Record)"),
        ("        zone: Optional[str] = None,\n    ) -> None: ...", "    ) -> None: ...\n    def carriers(self) -> List[str]: ..."),
        ("    def last(self) -> datetime.date: ...", "    def end(self) -> datetime.date: ..."),
        ("class ShippingError(IchigenError):", "class ShippingError(InputError):"),
        ("class IdentityError(IchigenError):", "class IdentityError(InputError):"),
        ("    address1: Optional[str] = None,\n    address2", "    address1: str = '',\n    address2"),
        ("    def unmerge(self, a: str, b: str)", "    def unmerge(self, a: str, b: str, c: str)"),
        ("    def candidates(self) -> List[_Candidate]:\n        \"\"\"Probable", "    @property\n    def candidates(self) -> List[_Candidate]:\n        \"\"\"Probable"),
        ("    def snapshot(self) -> Dict[str, Any]:", "    def state(self) -> Dict[str, Any]:"),
        ("def normalize_email(\n    value: str, relays", "def normalize_email(\n    value: str, *, relays"),
        ("location: str, quantity: int, expected: bool = False", "location: str, quantity: int, expected: bool = True"),
        ("    def order(self, order_id: str)", "    def order(self, order: str)"),
        ("def reorder_quantity(position: int, point: int, target: int, lot: int = 1)", "def reorder_quantity(position: int, point: int, target: int, lot: int)"),
        ("class StockError(IchigenError):", "class StockError(InputError):"),
        ("class ShipmentError(IchigenError):", "class ShipmentError(StockError):"),
        ("    def split(self, order: _Record, stock: _Stock = None)", "    def split(self, order: _Record, stock: _Stock)"),
        ("    def unmerge(self, merged: _Record, orders: _Orders,", "    def unmerge(self, orders: _Orders, merged: _Record,"),
        ("def largest_remainder(total: int, weights: Sequence[int])", "def largest_remainder(total: int, *weights: int)"),
        ("    def split_all(self, orders: _Orders)", "    def split_all(self, orders: _Orders, stock: _Stock = None)"),
    ],
)
def test_checker_catches_drift(old, new):
    text = STUB.read_text(encoding="utf-8")
    assert old in text, "the mutation must apply to the current stub"
    assert differences(text.replace(old, new, 1), ichigen) != []
