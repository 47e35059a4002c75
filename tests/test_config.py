"""Flat config: defaults, yaml override, command line override, and clear errors."""
import pytest

from src.config import get_config, load_defaults
from src.errors import UserError


def test_defaults_and_command_line_override():
    cfg = get_config("t", ["--scale", "3", "--lr", "0.01", "--augment", "false", "--eval_sets", "Set5,Set14"])
    assert (cfg.scale, cfg.lr, cfg.augment, cfg.eval_sets) == (3, 0.01, False, "Set5,Set14")
    assert cfg.d == 56 and cfg.optimizer == "adam"


def test_yaml_overrides_defaults_and_command_line_overrides_yaml(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scale: 2\nepochs: 7\nlr: 1\n")
    cfg = get_config("t", ["--config_path", str(path), "--epochs", "9"])
    assert (cfg.scale, cfg.epochs, cfg.lr) == (2, 9, 1.0)
    assert isinstance(cfg.lr, float)


def test_unknown_yaml_key_is_an_error_naming_file_and_key(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("scael: 2\n")
    with pytest.raises(UserError, match=r"c\.yaml: unknown config key 'scael'"):
        get_config("t", ["--config_path", str(path)])


def test_wrong_yaml_type_is_an_error(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("epochs: many\n")
    with pytest.raises(UserError, match="'epochs' must be int, got str"):
        get_config("t", ["--config_path", str(path)])
    path.write_text("augment: 1\n")
    with pytest.raises(UserError, match="'augment' must be bool"):
        get_config("t", ["--config_path", str(path)])


def test_unknown_or_badly_typed_command_line_option_exits_2():
    for argv in (["--no_such_key", "1"], ["--epochs", "x"], ["--augment", "maybe"]):
        with pytest.raises(SystemExit) as exc:
            get_config("t", argv)
        assert exc.value.code == 2


def test_every_key_has_a_help_line():
    values, helps = load_defaults()
    assert set(values) == set(helps)


def test_shipped_configs_only_use_known_keys():
    import glob
    import os
    from src.config import ROOT
    files = glob.glob(os.path.join(ROOT, "configs", "*.yaml"))
    assert files
    for path in files:
        get_config("t", ["--config_path", path])
