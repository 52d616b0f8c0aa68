"""Where the configs live and how code outside a Hydra app composes them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig, OmegaConf

from experiments.schema import Config, register

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
CONFIG_NAME = "config"


def compose_config(overrides: Sequence[str] = (), config_name: str = CONFIG_NAME) -> DictConfig:
    """Compose ``conf/`` with ``overrides`` outside a Hydra app (tests, notebooks, ablations).

    Inside a running app the existing Hydra instance is reused, so its search path is kept.
    """
    register()
    if GlobalHydra.instance().is_initialized():
        return compose(config_name=config_name, overrides=list(overrides))
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name=config_name, overrides=list(overrides))


def check_config(cfg: DictConfig) -> None:
    """Re-check ``cfg`` against the schema: keys forced in with ``+`` bypass composition's check.

    Raises:
        omegaconf.errors.ConfigKeyError: naming the unknown key and the schema it is not in.
    """
    plain = OmegaConf.to_container(cfg, resolve=False, enum_to_str=True, throw_on_missing=False)
    OmegaConf.merge(OmegaConf.structured(Config), plain)


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    """The config as plain JSON-able Python (enums as their names), for the store and W&B."""
    plain = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True, throw_on_missing=False)
    assert isinstance(plain, dict)
    return {str(k): v for k, v in plain.items()}
