"""``Module``: what every model has: named parameters, zero_grad, and a state dict saved as JSON.

A subclass defines ``named_parameters()`` and ``config()`` (its constructor's arguments); the
rest follows. Files are JSON (never pickle, so loading a file cannot run code). ``save`` writes
a temporary file beside the target and renames it, so a failed write never leaves half a model.
``load`` reads at most ``MAX_FILE_BYTES`` of a regular file, counts its JSON objects and values
before parsing (so memory stays bounded), and checks the architecture the file's config implies
(at most ``MAX_PARAMETERS`` parameters, as many as the file holds) before building anything.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import stat
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from autograd import Value, validate

__all__ = ["Module", "MAX_FILE_BYTES", "MAX_PARAMETERS", "MAX_CONTAINERS", "MAX_VALUES"]

M = TypeVar("M", bound="Module")

FILE_FORMAT = "deltagrad-module"
MAX_FILE_BYTES = 64 * 2**20  # 64 MiB: about a million parameters as ``save`` writes them
MAX_PARAMETERS = 1_000_000  # a scalar engine's models are far smaller; a bigger file is a mistake or an attack
_SHOWN = 5  # how many names an error message lists before "..."


def _names(names: list[str]) -> str:
    shown = ", ".join(_printable(str(name)) for name in names[:_SHOWN])
    return shown + (f", ... ({len(names)} in all)" if len(names) > _SHOWN else "")


def _printable(text: str) -> str:
    """``text`` with lone surrogates (from a file's keys or an undecodable file name) escaped, so
    that printing the error cannot raise ``UnicodeEncodeError``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# A saved model is a few JSON objects and lists (the document, its config, its state_dict, a list
# of widths or activations) and one value per parameter. Counting brackets and separators in the
# raw bytes, before Python builds anything, bounds the objects a file can make: 64 MiB of
# "[{},{},...]" would otherwise be 22 million dicts (1.75 GB).
MAX_CONTAINERS = 1_000
MAX_VALUES = MAX_PARAMETERS + 10_000
MAX_DIGITS = 100  # an integer in a saved model is a width or a count; 4,000 digits is an attack


def _read_bytes(path: Path) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of the regular file ``path``; ValueError naming it
    for anything else (a FIFO, which would block, a device, a folder, an unreadable /proc file)."""
    try:  # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:  # Windows; on POSIX a folder opens and fstat tells
        fd = None
    if fd is None or not stat.S_ISREG(os.fstat(fd).st_mode):
        if fd is not None:
            os.close(fd)
        raise ValueError(f"{path} is not a regular file (a FIFO, device or folder); "
                         "not a saved deltagrad model")
    with os.fdopen(fd, "rb") as file:
        try:  # capped: a /proc file says size 0 and may be endless
            return file.read(MAX_FILE_BYTES + 1)
        except OSError as error:  # /proc/self/mem
            reason = error.strerror or error
            raise ValueError(f"{path} cannot be read as a saved deltagrad model: {reason}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        twice = next(key for key, n in counts.items() if n > 1)
        raise ValueError(f"the key {twice!r} appears twice in one object")
    return document


def _whole_number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer of {len(digits.lstrip('-')):,} digits (at most {MAX_DIGITS})")
    return int(digits)


def _read_json(path: Path) -> Any:
    """The JSON document in ``path``, in bounded time and memory; ValueError naming the file."""
    raw = _read_bytes(path)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES:,} bytes (MAX_FILE_BYTES); not a saved deltagrad model")
    containers = raw.count(b"{") + raw.count(b"[")
    values = raw.count(b",")
    if containers > MAX_CONTAINERS or values > MAX_VALUES:
        raise ValueError(f"{path} is not a saved deltagrad model: {containers:,} JSON objects and "
                         f"lists (nested too deeply, or too many: a model has a few) and {values:,} "
                         f"values (at most {MAX_VALUES:,})")
    try:
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=_whole_number)
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a saved deltagrad model (not UTF-8 text)") from None
    except RecursionError:
        raise ValueError(f"{path} is not a saved deltagrad model (JSON nested too deeply)") from None
    except ValueError as error:  # JSONDecodeError, a duplicate key, an integer of too many digits
        raise ValueError(f"{path} is not valid JSON for a model: {error}") from None


def _write_through(target: Path, text: str) -> None:
    """Write ``text`` to the file ``target`` names, keeping what the path is: through a symlink
    to its target, with the existing file's permissions, and in place when the file has other
    hard links (so they see the new model too; that write alone is not atomic). Otherwise a
    temporary file beside it is renamed over it once complete."""
    real = Path(os.path.realpath(target))  # a symlink's target is replaced, not the link
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    data = text.encode("utf-8")
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        with open(real, "r+b") as file:
            file.write(data)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())
        return
    temporary = real.with_name(f".{real.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as file:  # "x": the permissions a new file gets
            file.write(data)
            file.flush()
            if info is not None and hasattr(os, "fchmod"):  # an existing file keeps its mode (0600)
                os.fchmod(file.fileno(), stat.S_IMODE(info.st_mode))
            os.fsync(file.fileno())
        os.replace(temporary, real)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class Module:
    """Base class of ``Neuron``, ``Layer`` and ``MLP``."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a fixed order, named like ``layers.0.neurons.3.w.1``."""
        raise NotImplementedError(f"{type(self).__name__} must define named_parameters()")

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this architecture (used by ``save``/``load``)."""
        raise NotImplementedError(f"{type(self).__name__} must define config()")

    def parameters(self) -> list[Value]:
        """Every trainable ``Value``, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (leaf gradients accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Parameter name → value, as plain floats."""
        return {name: p.data for name, p in self.named_parameters()}

    @staticmethod
    def parameter_count(**config: Any) -> int | None:
        """How many parameters the constructor would make from ``config``, checked without
        building anything (``load`` uses it); None when a subclass does not say."""
        return None

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``, after checking all of it first.

        Args:
            state: name → finite real number, with exactly the names of ``named_parameters()``.

        Raises:
            TypeError: ``state`` is not a mapping, or an entry is not a real number.
            ValueError: names missing or unexpected (another architecture), or an entry that is NaN
                or infinite. The message names the entry; the model is left unchanged.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a mapping of name -> number, got {validate.shown(state)}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        extra = [str(name) for name in state if name not in params]
        if missing or extra:
            problems = [f"missing {_names(missing)}" if missing else "", f"unexpected {_names(extra)}" if extra else ""]
            raise ValueError(f"state: expected {len(params)} entries for {self!r}, got {len(state)}; "
                             + "; ".join(p for p in problems if p))
        values = {name: validate.finite(state[name], f"state[{name!r}]") for name in params}
        for name, p in params.items():
            p.data = values[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and the parameters to ``path`` as JSON, atomically: a temporary
        file in the same folder, renamed over ``path`` once complete (a failed write leaves the
        previous file as it was). A missing folder is made. What the path is stays: a symlink's
        target gets the model (the link stays a link), an existing file keeps its permissions,
        and a file with several hard links is rewritten in place so every link sees the model
        (that one case is not atomic).

        Args:
            path: the file to write.

        Raises:
            ValueError: a parameter is NaN or infinite (JSON has no such numbers).
            OSError: the file cannot be written.
        """
        target = validate.output_file(path, "path")
        document = {"format": FILE_FORMAT, "class": type(self).__name__, "config": self.config(),
                    "state_dict": self.state_dict()}
        try:
            text = json.dumps(document, indent=1, allow_nan=False) + "\n"
        except ValueError:
            bad = [name for name, x in self.state_dict().items() if not math.isfinite(x)]
            raise ValueError(f"save: parameters are not finite: {_names(bad)}") from None
        _write_through(target, text)

    @classmethod
    def load(cls: type[M], path: str | os.PathLike[str]) -> M:
        """Rebuild a model saved with ``save``.

        Nothing is built before the file passes its checks: it is at most ``MAX_FILE_BYTES``
        long, and its config implies at most ``MAX_PARAMETERS`` parameters, exactly as many as its
        state_dict holds.

        Args:
            path: a JSON file written by ``save``.

        Returns:
            A new model of this class with the saved parameters.

        Raises:
            TypeError: ``path`` is not a str or Path.
            OSError: the file cannot be read.
            ValueError: the file is not a saved model of this class (not a regular file, too large,
                too many JSON objects or values, a duplicate key, an integer of over 100 digits, an
                entry that is wrong); the message names the file.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file name (str or Path), got {validate.shown(path)}")
        try:
            return cls._load_checked(Path(path))
        except ValueError as error:
            raise ValueError(_printable(str(error))) from None

    @classmethod
    def _load_checked(cls: type[M], path: Path) -> M:
        document = _read_json(path)
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not a saved deltagrad model (no \"format\": \"{FILE_FORMAT}\")")
        if document.get("class") != cls.__name__:
            raise ValueError(f"{path} holds a {validate.shown(document.get('class'))}, not a {cls.__name__!r}")
        config, state = document.get("config"), document.get("state_dict")
        if not isinstance(config, dict) or not isinstance(state, dict):
            raise ValueError(f"{path} needs a \"config\" object and a \"state_dict\" object")
        try:
            count = cls.parameter_count(**config)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path} has a bad config: {error}") from None
        if count is not None and count > MAX_PARAMETERS:
            raise ValueError(f"{path}: its config implies {count:,} parameters, more than MAX_PARAMETERS "
                             f"({MAX_PARAMETERS:,})")
        if count is not None and count != len(state):
            raise ValueError(f"{path}: its config implies {count:,} parameters but its state_dict holds {len(state):,}")
        try:
            model = cls(**config, seed=0)
            model.load_state_dict(state)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{path} has a bad config or state_dict: {error}") from None
        return model

    def __repr__(self) -> str:
        try:
            config = self.config()
        except NotImplementedError:  # a subclass written micrograd's way, with parameters() only
            return f"{type(self).__name__}()"
        args = ", ".join(f"{key}={value!r}" for key, value in config.items())
        return f"{type(self).__name__}({args})"
