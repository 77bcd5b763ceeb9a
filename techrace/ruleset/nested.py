"""Validate a free mapping field (a personality's `params`) against the model its sibling `kind` picks.

The mapping is checked inside its parent's validator, where pydantic would report the inner errors at
the parent (`personalities.builder.centralise_gapp`) and call an unknown name an unknown key of the
parent. Re-raised here, each error keeps the field's own path (`...builder.params.centralise_gapp`), so
the modder is sent to the line they wrote, and an unknown name is offered the model's parameters.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from techrace.ruleset.layers import suggest


def validate_mapping(model: type[BaseModel], value: dict[str, Any], field: str, owner: str) -> None:
    """Raise a ValidationError located under `field` unless `value` fits `model`; `owner` names what the
    parameters belong to in an unknown-name message (e.g. `a nation personality`)."""
    try:
        model.model_validate(value)
    except ValidationError as exc:
        details = [_detail(model, error, field, owner) for error in exc.errors()]
        raise ValidationError.from_exception_data(model.__name__, details) from None


def _detail(model: type[BaseModel], error: Any, field: str, owner: str) -> InitErrorDetails:
    loc = (field, *error["loc"])
    if error["type"] != "extra_forbidden":
        detail = InitErrorDetails(type=error["type"], loc=loc, input=error["input"])
        if error.get("ctx"):
            detail["ctx"] = error["ctx"]
        return detail
    name = str(error["loc"][-1]) if error["loc"] else ""
    names = [info.alias or key for key, info in model.model_fields.items()]
    hint = suggest(name, names) or f" ({owner} takes: {', '.join(names)})"
    message = f"unknown parameter {name!r}{hint}"
    return InitErrorDetails(type=PydanticCustomError("value_error", "{error}", {"error": message}), loc=loc,
                            input=error["input"])
