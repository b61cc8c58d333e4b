"""The command line keeps its commands, options and exit codes (declared with click, no plug-in list)."""

from __future__ import annotations

import pytest

from nptsc_eval.cli import cli, main

COMMANDS = {
    "build": {"--force", "--jobs", "--fresh-kernels", "--survey", "--no-book", "--kernel-timeout", "--mapping",
              "--keep-incomplete", "--sheet", "--all", "--dask-scheduler", "--survey-clearance"},
    "check-data": set(),
    "refresh": set(),
    "pdf": {"--jobs", "--survey", "--survey-clearance"},
    "synth": {"--n", "--seed", "--out"},
    "validate": {"--mapping", "--keep-incomplete", "--sheet", "--all"},
    "map": {"--out", "--sheet", "--overwrite"},
    "survey": set(),
}


def test_every_command_and_option_keeps_its_name():
    assert set(cli.commands) == set(COMMANDS)
    for name, options in COMMANDS.items():
        declared = {o for p in cli.commands[name].params for o in p.opts if o.startswith("--")}
        assert declared == options, name
    review = cli.commands["survey"].commands["review-text"]  # type: ignore[attr-defined]
    assert {o for p in review.params for o in p.opts if o.startswith("--")} == {"--out", "--mapping", "--keep-incomplete",
                                                                                 "--sheet"}


@pytest.mark.parametrize("argv, status, message", [
    (["build", "--mapping", "m.yml"], 2, "error: --mapping, --keep-incomplete, --sheet and --survey-clearance need --survey PATH"),
    (["build", "--survey-clearance", "c.csv"], 2, "--survey-clearance need --survey PATH"),
    (["pdf", "--survey-clearance", "c.csv"], 2, "error: --survey-clearance needs --survey PATH"),
    (["build", "--survey", "no-such-export.csv"], 2, "error: survey file no-such-export.csv not found"),
    (["build", "--jobs", "many"], 2, "'many' is not a valid integer"),
    (["no-such-command"], 2, "No such command 'no-such-command'"),
    (["synth", "--n", "0", "--out", "x.csv"], 2, "error: --n must be at least 1"),
    (["refresh", "99-missing.ipynb"], 1, "error: no notebook 99-missing.ipynb in notebooks/"),
])
def test_problems_exit_with_the_usual_status_and_one_message(argv, status, message, capsys):
    assert main(argv) == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


def test_check_data_says_the_raw_data_is_valid(capsys):
    assert main(["check-data"]) == 0
    assert capsys.readouterr().out.strip() == "raw data: every file is valid"
