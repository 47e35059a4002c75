"""Flat config: defaults, yaml override, command line override, and clear errors."""
import glob
import os

import pytest

from src.config import ROOT, get_config, load_defaults
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


def test_unknown_or_badly_typed_command_line_option_is_one_line():
    for argv, fragment in ((["--no_such_key", "1"], "unrecognized arguments: --no_such_key"),
                           (["--epochs", "x"], "argument --epochs: invalid int value: 'x'"),
                           (["--augment", "maybe"], "argument --augment: expected true or false")):
        with pytest.raises(UserError, match=fragment) as err:
            get_config("t", argv)
        assert "\n" not in str(err.value) and "--help" in str(err.value)


@pytest.mark.parametrize("model", ["fsrcnn", "fmen", "classsr"])
def test_every_key_has_a_help_line(model):
    values, helps = load_defaults(model)
    assert set(values) == set(helps)


def test_each_network_brings_its_own_keys_and_only_those(tmp_path):
    assert get_config("t", ["--model", "fmen"]).n_feats == 50
    with pytest.raises(UserError, match="unrecognized arguments: --d"):
        get_config("t", ["--model", "fmen", "--d", "32"])
    path = tmp_path / "c.yaml"
    path.write_text("model: fmen\nd: 32\n")
    with pytest.raises(UserError, match=r"c\.yaml: unknown config key 'd' \(for model 'fmen'\)"):
        get_config("t", ["--config_path", str(path)])
    path.write_text("model: fmen\nn_feats: 40\n")
    assert get_config("t", ["--config_path", str(path)]).n_feats == 40


def test_a_command_shows_only_its_own_options(capsys):
    with pytest.raises(SystemExit) as exc:
        get_config("t", ["--help"], "infer")
    shown = capsys.readouterr().out
    assert exc.value.code == 0
    for option in ("--input", "--output", "--tile", "--overwrite", "--ckpt_file", "--scale", "--d"):
        assert option in shown
    for option in ("--epochs", "--lr", "--bench_paths", "--lr_bin_dir", "--n_feats", "--class_patch"):
        assert option not in shown
    with pytest.raises(UserError, match="unrecognized arguments: --epochs"):
        get_config("t", ["--epochs", "3"], "infer")
    # a shared config file of another command's keys still configures this one
    assert get_config("t", ["--config_path", os.path.join(ROOT, "configs", "fsrcnn", "x2.yaml")], "infer").scale == 2


def test_yaml_that_is_not_utf8_or_writes_floats_as_text_is_one_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes("# r\xe9glages\nscale: 2\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"c\.yaml: not UTF-8 text .*save it as UTF-8"):
        get_config("t", ["--config_path", str(path)])
    path.write_text("lr: 1e-3\n")
    with pytest.raises(UserError, match=r"'lr' must be float, got str '1e-3' \(YAML reads 1e-3 as text"):
        get_config("t", ["--config_path", str(path)])


def test_shipped_configs_only_use_known_keys():
    files = [p for p in glob.glob(os.path.join(ROOT, "configs", "**", "*.yaml"), recursive=True)
             if os.path.basename(p) != "chain.yaml"]
    assert len(files) >= 25
    for path in files:
        get_config("t", ["--config_path", path])
