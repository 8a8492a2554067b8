"""The module componentize-py builds a Python guest from.

While building: installs wasock's runtime (`wasock_py.bootstrap.install`)
and bundles the program (`_wasock_entry`, written by `wasock run` /
`wasock py build`). At each start: `Run.run` runs the program."""

from wasock_py import bootstrap

bootstrap.install()

import _wasock_entry  # noqa: E402
from wit_world import exports  # noqa: E402
from wit_world.imports import environment  # noqa: E402


class Run(exports.Run):
    """The `wasi:cli/run` export."""

    def run(self) -> None:
        if bootstrap.run(_wasock_entry.MODULE, environment) != 0:
            from componentize_py_types import Err

            raise Err(None)
