"""Flat configuration: defaults, optionally overridden by a yaml (--config_path), then --key value.

The defaults come from default_config.yaml, whose keys are grouped (device, model, train, infer, ...), and from the
yaml beside the chosen network's module (src/models/<model>.yaml: its own keys). Each command names the groups it
reads (COMMANDS) and shows only those in --help; every key stays one flat `--key value` and one flat yaml key. Each
yaml holds two documents: the values, then one help line per key. A key's type is the type of its default; an
override of another type, or a key neither the defaults nor the network know, is a UserError naming the file and
the key.
"""
import argparse
import os
import sys

import yaml

from src import models, paths
from src.errors import UserError

ROOT, DEFAULT_CONFIG = paths.ROOT, paths.DEFAULT_CONFIG
MODEL_GROUP = "model"  # the group the network's own keys join

# the groups of default_config.yaml each command reads (None: all of them, for tools and tests)
COMMANDS = {
    "train": ("device", "model", "data", "train_data", "train", "overwrite"),
    "eval": ("device", "model", "checkpoint", "data", "evaluate", "json"),
    "infer": ("device", "model", "checkpoint", "infer", "overwrite"),
    "export": ("device", "model", "checkpoint", "export", "overwrite"),
    "preprocess": ("model", "data", "evaluate", "serve"),
    "postprocess": ("evaluate", "serve", "json"),
    "benchmark": ("device", "model", "checkpoint", "data", "benchmark", "json"),
    "prepare": ("model", "data", "train_data", "prepare"),
    "convert": ("device", "model", "checkpoint", "convert"),
}


class Config(argparse.Namespace):
    """Attribute access to the merged keys (cfg.scale, cfg.lr, ...); cfg.given: the keys the user set (in the
    --config_path yaml or on the command line), the others are defaults."""


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (a UserError, exit 2), not the whole usage; options are never
    abbreviated (which keys exist depends on the network)."""

    def __init__(self, **kwargs):
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message):
        raise UserError(f"{message} (see {self.prog} --help)")


def _read_yaml_documents(path):
    if not os.path.isfile(path):
        raise UserError(f"{path}: config file not found")
    try:
        with open(path, encoding="utf-8") as f:
            # libyaml's safe loader when PyYAML has it: the same documents, ~10x faster (infer.py's start-up)
            docs = [d for d in yaml.load_all(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) if d is not None]
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8") from None
    except yaml.YAMLError as err:
        raise UserError(f"{path}: invalid yaml ({str(err).splitlines()[0]})") from None
    if not docs or not all(isinstance(d, dict) for d in docs):
        raise UserError(f"{path}: expected a mapping of flat keys")
    return docs


def _check_type(key, value, default, source):
    """Accept the default's type (an int where a float is expected too); anything else is a UserError."""
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
        return value
    hint = ""
    if expected is float and isinstance(value, str):
        hint = " (YAML reads 1e-3 as text: write 1.0e-3 or 0.001)"
    raise UserError(f"{source}: key '{key}' must be {expected.__name__}, got {type(value).__name__} {value!r}{hint}")


def _parse_bool(text):
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def load_groups():
    """({group: {key: default}}, {key: help}) of default_config.yaml."""
    docs = _read_yaml_documents(DEFAULT_CONFIG)
    groups = docs[0]
    if not all(isinstance(keys, dict) for keys in groups.values()):
        raise UserError(f"{DEFAULT_CONFIG}: expected groups of keys")
    return groups, (docs[1] if len(docs) > 1 else {})


def load_network_keys(model):
    """({key: default}, {key: help}) of network `model`'s own keys (models.config_file)."""
    if model not in models.module_names():
        raise UserError(f"model '{model}' is not one of {', '.join(models.module_names())}")
    path = models.config_file(model)
    if not os.path.isfile(path):
        return {}, {}
    docs = _read_yaml_documents(path)
    return docs[0], (docs[1] if len(docs) > 1 else {})


def load_defaults(model=None):
    """(values, help texts) of every shared key and of network `model`'s keys (default: the default model's)."""
    groups, helps = load_groups()
    values = {k: v for keys in groups.values() for k, v in keys.items()}
    net_values, net_helps = load_network_keys(model or values["model"])
    return dict(values, **net_values), dict(helps, **net_helps)


def _merge(values, overrides, path):
    """`values` overridden by the keys of the yaml at `path` (`overrides`); unknown keys and wrong types are
    UserErrors."""
    merged = dict(values)
    for key, value in overrides.items():
        if key not in values:
            raise UserError(f"{path}: unknown config key '{key}' (for model '{values['model']}')")
        merged[key] = _check_type(key, value, values[key], path)
    return merged


def _command_line_model(argv):
    """--model as given on the command line, or None."""
    pre = _Parser(add_help=False)
    pre.add_argument("--model", default=None)
    return pre.parse_known_args(argv)[0].model


def get_config(description, argv=None, command=None):
    """Defaults <- --config_path yaml <- command line, for `command` (a key of COMMANDS; None: every group).
    Returns a Config holding every key; --help and the flags are those of the command's groups."""
    groups, helps = load_groups()
    pre = _Parser(add_help=False)
    pre.add_argument("--config_path", default="")
    config_path = paths.in_repository(pre.parse_known_args(argv)[0].config_path)  # configs/... from any folder
    overrides = _read_yaml_documents(config_path)[0] if config_path else {}
    # the model decides which network's keys exist: the command line's, else the yaml's, else the default
    model = _command_line_model(argv) or overrides.get("model") or groups[MODEL_GROUP]["model"]
    if not isinstance(model, str):
        raise UserError(f"{config_path}: key 'model' must be str, got {type(model).__name__} {model!r}")
    net_values, net_helps = load_network_keys(model)
    values = dict({k: v for keys in groups.values() for k, v in keys.items()}, **net_values, model=model)
    helps = dict(helps, **net_helps)
    values = _merge(values, overrides, config_path)
    wanted = COMMANDS[command] if command else tuple(groups)
    shown = [k for g in wanted for k in groups[g]] + (list(net_values) if MODEL_GROUP in wanted else [])

    parser = _Parser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config_path", default="", help="yaml file whose keys override the defaults")
    helps = dict(helps, model=f"{helps.get('model', '')}: {', '.join(models.module_names())}")
    for key in shown:
        default = values[key]
        # a bare --flag means true, so `--overwrite` reads as it does in other tools; --flag false still works
        flag = ({"type": _parse_bool, "nargs": "?", "const": True} if isinstance(default, bool)
                else {"type": type(default)})
        parser.add_argument(f"--{key}", default=default, help=helps.get(key, ""),
                            metavar=type(default).__name__.upper(), **flag)
    cfg = Config(**values)
    parser.parse_args(argv, namespace=cfg)
    command_line = sys.argv[1:] if argv is None else argv
    cfg.given = frozenset(overrides) | {key for key in shown if any(
        arg == f"--{key}" or arg.startswith(f"--{key}=") for arg in command_line)}  # what the user chose
    if command != "convert":  # a checkpoint read (convert writes it): checkpoints/... found from any folder
        cfg.ckpt_file = paths.in_repository(cfg.ckpt_file)
    return cfg
