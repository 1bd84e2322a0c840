"""[behaviour]: the behaviour engine's thresholds, one key per BehaviourConfig field."""

from __future__ import annotations

from dataclasses import MISSING, asdict, fields as dataclass_fields

from pydantic import create_model, model_validator

from ..behaviour.config import BehaviourConfig
from .checks import _Section


# [behaviour]: one key per BehaviourConfig field, same name, same default (documented in
# packaging/fumidai.example.toml); BehaviourConfig's own checks name the key on bad values.
_TOML_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "tuple[str, ...]": list[str]}
_BehaviourKeys = create_model(  # type: ignore[call-overload]
    "_BehaviourKeys",
    __base__=_Section,
    **{
        f.name: (_TOML_TYPES[f.type], list(f.default) if isinstance(f.default, tuple) else f.default)
        for f in dataclass_fields(BehaviourConfig)
        if f.default is not MISSING
    },
)


class BehaviourSection(_BehaviourKeys):  # type: ignore[misc, valid-type]
    @model_validator(mode="after")
    def _consistent(self) -> "BehaviourSection":
        self.config()
        return self

    def config(self) -> BehaviourConfig:
        values = self.model_dump()
        values["exempt_networks"] = tuple(values["exempt_networks"])
        return BehaviourConfig(**values)


assert set(BehaviourSection.model_fields) == set(asdict(BehaviourConfig())), "every threshold has a key"
