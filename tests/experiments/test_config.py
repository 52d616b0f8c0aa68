"""Every config group option and preset composes; typos fail at composition, naming the key."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError

from experiments.config import CONF_DIR, check_config, compose_config, to_plain
from experiments.schema import GROUPS, register

OPTIONS = sorted((g, p.stem) for g in GROUPS for p in (CONF_DIR / g).glob("*.yaml"))
PRESETS = sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))
NAMED = {"decomposition", "reward", "policy", "proposer", "logger"}  # option == its name field


def _error_text(error: BaseException) -> str:
    parts = []
    while error is not None:
        parts.append(str(error))
        error = error.__cause__  # type: ignore[assignment]
    return "\n".join(parts)


def test_every_group_has_options() -> None:
    assert {g for g, _ in OPTIONS} == set(GROUPS)
    assert len(PRESETS) >= 6


def test_every_group_option_composes() -> None:
    """Round ``i`` selects the ``i``-th option of every group at once (fewer compositions)."""
    by_group: dict[str, list[str]] = {}
    for group, option in OPTIONS:
        by_group.setdefault(group, []).append(option)
    for i in range(max(len(options) for options in by_group.values())):
        chosen = {g: options[i % len(options)] for g, options in by_group.items()}
        cfg = compose_config([f"{g}={o}" for g, o in chosen.items()])
        check_config(cfg)
        plain = to_plain(cfg)
        for group in NAMED:
            assert plain[group]["name"] == chosen[group]
        assert plain["scenario"]["name"] == chosen["scenario"]
        assert plain["policy"]["kind"] in ("rl", "search")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_composes(preset: str) -> None:
    cfg = compose_config([f"+experiment={preset}"])
    check_config(cfg)
    plain = to_plain(cfg)
    assert plain["name"] != ""
    if preset.startswith("ablation_"):
        assert len(plain["ablation"]["variants"]) >= 3
        for overrides in plain["ablation"]["variants"].values():  # each variant composes too
            compose_config([f"+experiment={preset}", *overrides])


def test_smoke_preset_overrides_groups() -> None:
    plain = to_plain(compose_config(["+experiment=smoke"]))
    assert plain["pipeline"]["mode"] == "synthetic"
    assert plain["logger"]["name"] == "none"


@pytest.mark.parametrize(("launcher", "target"), [("local_joblib", "JoblibLauncher"),
                                                  ("slurm", "SlurmLauncher")])
def test_launcher_presets(launcher: str, target: str) -> None:
    register()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose("config", overrides=[f"hydra/launcher={launcher}"],
                      return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith(target)
    if launcher == "slurm":
        assert OmegaConf.select(cfg, "hydra.launcher.cpus_per_task") == 1


@pytest.mark.parametrize("override", ["policy.learning_rat=1", "scenario.shift_phse=2"])
def test_misspelt_key_fails_at_composition(override: str) -> None:
    with pytest.raises(ConfigCompositionException) as caught:
        compose_config([override])
    assert override.split("=")[0].split(".")[-1] in _error_text(caught.value)


def test_misspelt_key_forced_with_plus_fails_the_schema_check() -> None:
    cfg = compose_config(["+policy.learning_rat=1"])  # "+" makes Hydra add any key
    with pytest.raises(ConfigKeyError, match=r"learning_rat.*PolicyConf"):
        check_config(cfg)


def test_bad_enum_value_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigCompositionException) as caught:
        compose_config(["logger.name=wandbb"])
    text = _error_text(caught.value)
    assert "wandbb" in text and "wandb" in text and "none" in text


def test_wrong_type_fails() -> None:
    with pytest.raises(ConfigCompositionException) as caught:
        compose_config(["budget=many"])
    assert "budget" in _error_text(caught.value)


def test_unknown_group_option_lists_the_options() -> None:
    with pytest.raises(MissingConfigException) as caught:
        compose_config(["policy=ppoo"])
    assert "maskable_ppo" in str(caught.value)
