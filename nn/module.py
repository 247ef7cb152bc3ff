"""``Module``: what every model has: named parameters, zero_grad, and a state dict saved as JSON.

A subclass defines ``named_parameters()`` and ``config()`` (its constructor's arguments); the
rest follows. Files are JSON (never pickle, so loading a file cannot run code).
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from autograd import Value

__all__ = ["Module"]

M = TypeVar("M", bound="Module")

FILE_FORMAT = "deltagrad-module"
_SHOWN = 5  # how many names an error message lists before "..."


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", ... ({len(names)} in all)" if len(names) > _SHOWN else "")


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

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``, after checking all of it first.

        Args:
            state: name → real number, with exactly the names of ``named_parameters()``.

        Raises:
            TypeError: ``state`` is not a mapping.
            ValueError: names missing or unexpected (another architecture), or a value that is not
                a finite real number. The message names the entry; the model is left unchanged.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: state must be a mapping of name -> number, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state]
        extra = [str(name) for name in state if name not in params]
        if missing or extra:
            problems = [f"missing {_names(missing)}" if missing else "", f"unexpected {_names(extra)}" if extra else ""]
            raise ValueError(
                f"load_state_dict: expected {len(params)} entries for {self!r}, got {len(state)}; "
                + "; ".join(p for p in problems if p)
            )
        values = {}
        for name in params:
            x = state[name]
            if not isinstance(x, numbers.Real) or isinstance(x, bool):
                raise ValueError(f"load_state_dict: entry {name!r} must be a real number, got {type(x).__name__}: {x!r}")
            try:
                values[name] = float(x)
            except OverflowError:  # an int past the float range
                raise ValueError(f"load_state_dict: entry {name!r} is an int too large for a float") from None
            if not math.isfinite(values[name]):
                raise ValueError(f"load_state_dict: entry {name!r} is {x}; parameters must be finite")
        for name, p in params.items():
            p.data = values[name]

    def save(self, path: str | Path) -> None:
        """Write the architecture and the parameters to ``path`` as JSON.

        Args:
            path: the file to write.
        """
        document = {"format": FILE_FORMAT, "class": type(self).__name__, "config": self.config(),
                    "state_dict": self.state_dict()}
        try:
            text = json.dumps(document, indent=1, allow_nan=False)
        except ValueError:
            bad = [name for name, x in self.state_dict().items() if not math.isfinite(x)]
            raise ValueError(f"save: parameters are not finite: {_names(bad)}") from None
        Path(path).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls: type[M], path: str | Path) -> M:
        """Rebuild a model saved with ``save``.

        Args:
            path: a JSON file written by ``save``.

        Returns:
            A new model of this class with the saved parameters.

        Raises:
            OSError: the file cannot be read.
            ValueError: the file is not a saved model of this class, or an entry is wrong.
        """
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"load: {path} is not valid JSON: {error}") from None
        except UnicodeDecodeError:
            raise ValueError(f"load: {path} is not a saved deltagrad model (not UTF-8 text)") from None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"load: {path} is not a saved deltagrad model (no \"format\": \"{FILE_FORMAT}\")")
        if document.get("class") != cls.__name__:
            raise ValueError(f"load: {path} holds a {document.get('class')!r}, not a {cls.__name__!r}")
        config, state = document.get("config"), document.get("state_dict")
        if not isinstance(config, dict) or not isinstance(state, dict):
            raise ValueError(f"load: {path} needs a \"config\" object and a \"state_dict\" object")
        try:
            model = cls(**config, seed=0)
        except TypeError as error:
            raise ValueError(f"load: {path} has a bad config {config!r}: {error}") from None
        model.load_state_dict(state)
        return model

    def __repr__(self) -> str:
        try:
            config = self.config()
        except NotImplementedError:  # a subclass written micrograd's way, with parameters() only
            return f"{type(self).__name__}()"
        args = ", ".join(f"{key}={value!r}" for key, value in config.items())
        return f"{type(self).__name__}({args})"
