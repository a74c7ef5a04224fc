"""Options several subcommands share."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model bundle folder (default: the shipped one)")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="library database (default: in the user data folder)")
