"""The rulesets a batch plays, and the checks made before a single run.

A batch plays one ruleset, or several when `ruleset` is a factor (`--sweep ruleset=baseline,no-controls`,
`--vary ruleset=choice:baseline,h200-deal,full-decoupling`): a categorical factor over whole scenarios, the
way BehaviorSpace varies a model's setup. The first ruleset is `_ruleset.json`; the others are frozen in
`_rulesets/<i>.json`, each with its hash in the manifest (`alternatives`), and resume verifies them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from techrace.batch.plan import BatchPlan, PlanError, parse_distribution
from techrace.batch.store import BatchDirError, BatchStore, read_json, write_json_atomic
from techrace.errors import TechraceError
from techrace.safe_text import printable

if TYPE_CHECKING:
    from techrace.ruleset import Ruleset

RULESET_KEY = "ruleset"  # the factor that chooses a whole ruleset
ALTERNATIVES_DIR = "_rulesets"


def factors_of(plan: BatchPlan) -> dict[str, Any]:
    """Every factor of a plan: drawn per run, or by a design."""
    factors = dict(plan.vary)
    if plan.design.get("factors"):
        factors.update({k: parse_distribution(k, t) for k, t in plan.design["factors"].items()})
    return factors


def ruleset_names(plan: BatchPlan) -> list[str]:
    """The rulesets named by a `ruleset` sweep, choice or point, in first-seen order."""
    names: dict[str, None] = {}
    for point in plan.points:
        if RULESET_KEY in point:
            names[str(point[RULESET_KEY])] = None
    factor = factors_of(plan).get(RULESET_KEY)
    if factor is not None:
        if factor.kind != "choice":
            raise PlanError("--vary ruleset takes choice:NAME,NAME,... (rulesets are not numbers)")
        names.update(dict.fromkeys(str(c) for c in factor.choices))
    return list(names)


def load_alternatives(plan: BatchPlan) -> dict[str, Ruleset]:
    """Load every ruleset a `ruleset` factor names (a name or a directory, as --ruleset takes)."""
    from techrace.ruleset import load_ruleset

    loaded = {}
    for name in ruleset_names(plan):
        try:
            loaded[name] = load_ruleset(name)
        except TechraceError as exc:
            raise PlanError(f"ruleset={printable(name)}: {exc}") from None
    return loaded


def check_plan(base: Ruleset, alternatives: Mapping[str, Ruleset], plan: BatchPlan) -> None:
    """Refuse a batch whose key paths, values or choices are wrong before playing a single run."""
    from techrace.ruleset.overrides import apply_overrides, get_path

    rulesets = list(alternatives.values()) or [base]
    for key, factor in factors_of(plan).items():
        if key == RULESET_KEY:
            for name, ruleset in alternatives.items():
                _check_setup(ruleset, f"ruleset={name}")
            continue
        for ruleset in rulesets:
            current = get_path(ruleset, key)
            if factor.kind == "choice":  # a name (a policy, say) is only known once a game is set up with it
                for choice in factor.choices:
                    _check_setup(apply_overrides(ruleset, {key: choice}), f"{key}={choice}")
            elif isinstance(current, bool) or not isinstance(current, int | float | None):
                raise PlanError(f"--vary {key}: needs a numeric value, but {key} is {current!r}")
    if plan.design.get("factors"):
        return
    checked: set[str] = set()
    for point in plan.points:
        values = plan.overrides(point)
        chosen = {k: v for k, v in point.items() if k == RULESET_KEY or k in values}
        key = repr(sorted(chosen.items()))
        if key in checked:  # points that differ only in how they are played set up the same game
            continue
        checked.add(key)
        changed = apply_overrides(alternatives.get(str(point.get(RULESET_KEY)), base), values)
        if any(isinstance(v, str) for v in chosen.values()):
            _check_setup(changed, ", ".join(f"{k}={v}" for k, v in chosen.items()))


def _check_setup(ruleset: Ruleset, where: str) -> None:
    """Set a game up (no turn played) so that a name the schema cannot check is refused before the batch."""
    from techrace.core import Game

    try:
        Game.from_ruleset(ruleset, seed=0)
    except TechraceError as exc:
        raise PlanError(f"{printable(where)}: {exc}") from None


def frozen(alternatives: Mapping[str, Ruleset]) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, dict[str, Any]]]]:
    """The manifest entry ({name: {file, hash}}) and the worker payload ({name: (hash, json)}) of the alternatives."""
    from techrace.ruleset import ruleset_hash

    entry, payload = {}, {}
    for i, (name, ruleset) in enumerate(alternatives.items()):
        digest = ruleset_hash(ruleset)
        entry[name] = {"file": f"{ALTERNATIVES_DIR}/{i}.json", "hash": digest}
        payload[name] = (digest, ruleset.model_dump(mode="json", by_alias=True))
    return entry, payload


def write_alternatives(store: BatchStore, payload: Mapping[str, tuple[str, dict[str, Any]]],
                       entry: Mapping[str, Mapping[str, str]]) -> None:
    if not payload:
        return
    (store.dir / ALTERNATIVES_DIR).mkdir(exist_ok=True)
    for name, (_, data) in payload.items():
        write_json_atomic(store.dir / entry[name]["file"], data)


def verified(store: BatchStore, manifest: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, dict[str, Any]]]]:
    """On resume: `_ruleset.json` and every `_rulesets/<i>.json`, each valid and with its recorded hash."""
    base = _verified_file(store, store.dir / "_ruleset.json", manifest["ruleset_hash"])
    payload = {}
    for name, info in manifest.get("alternatives", {}).items():
        path = store.dir / info["file"]
        if path.parent != store.dir / ALTERNATIVES_DIR:
            raise BatchDirError(f"{store.dir}: manifest names {printable(info['file'])!r} outside {ALTERNATIVES_DIR}/")
        payload[name] = (info["hash"], _verified_file(store, path, info["hash"]))
    return base, payload


def _verified_file(store: BatchStore, path: Any, digest: str) -> dict[str, Any]:
    from pydantic import ValidationError

    from techrace.ruleset import Ruleset, ruleset_hash

    data = read_json(path)
    if not isinstance(data, dict):
        raise BatchDirError(f"{path}: not a ruleset")
    try:
        played = Ruleset.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BatchDirError(f"{path} is not a valid ruleset ({where}: {first['msg']}); it was changed after the "
                            "batch started: restore it, or start a new batch") from None
    if ruleset_hash(played) != digest:
        raise BatchDirError(f"{path} does not match the ruleset hash in the manifest ({digest[:12]}); "
                            "it was changed after the batch started: restore it, or start a new batch")
    return data
