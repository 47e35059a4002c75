"""Flat configuration: default_config.yaml, optionally overridden by a second yaml (--config_path), then --key value.

The defaults file holds two yaml documents: the values, then one help line per key. A key's type is the type of its
default; an override of another type, or a key the defaults do not know, is a UserError naming the file and the key.
"""
import argparse
import os

import yaml

from src.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CONFIG = os.path.join(ROOT, "default_config.yaml")


class Config(argparse.Namespace):
    """Attribute access to the merged keys (cfg.scale, cfg.lr, ...)."""

    def as_dict(self):
        return dict(vars(self))


def _read_yaml_documents(path):
    if not os.path.isfile(path):
        raise UserError(f"{path}: config file not found")
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
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
    raise UserError(f"{source}: key '{key}' must be {expected.__name__}, got {type(value).__name__} {value!r}")


def _parse_bool(text):
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def load_defaults():
    """(values, help texts) of default_config.yaml."""
    docs = _read_yaml_documents(DEFAULT_CONFIG)
    return docs[0], (docs[1] if len(docs) > 1 else {})


def merge_yaml(values, path):
    """Override `values` with the keys of a yaml file; unknown keys and wrong types are UserErrors."""
    merged = dict(values)
    for key, value in _read_yaml_documents(path)[0].items():
        if key not in values:
            raise UserError(f"{path}: unknown config key '{key}'")
        merged[key] = _check_type(key, value, values[key], path)
    return merged


def get_config(description, argv=None):
    """Defaults <- --config_path yaml <- command line. Returns a Config."""
    values, helps = load_defaults()
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config_path", default="")
    known, _ = pre.parse_known_args(argv)
    if known.config_path:
        values = merge_yaml(values, known.config_path)

    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config_path", default="", help="yaml file whose keys override default_config.yaml")
    from src import models
    helps = dict(helps, model=f"{helps.get('model', '')}: {', '.join(models.module_names())}")
    for key, default in values.items():
        # a bare --flag means true, so `--overwrite` reads as it does in other tools; --flag false still works
        flag = ({"type": _parse_bool, "nargs": "?", "const": True} if isinstance(default, bool)
                else {"type": type(default)})
        parser.add_argument(f"--{key}", default=default, help=helps.get(key, ""),
                            metavar=type(default).__name__.upper(), **flag)
    cfg = parser.parse_args(argv, namespace=Config())
    return cfg
