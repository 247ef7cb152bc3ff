"""The folders that ``deltagrad`` subcommands write into, checked before any work is done."""

from __future__ import annotations

from pathlib import Path

__all__ = ["output_folder"]


def output_folder(path: str, name: str = "--out") -> Path:
    """``path`` as a folder that exists (made if missing) and takes files.

    Args:
        path: the folder the command writes to.
        name: how errors name it (the option, ``"--out"``).

    Returns:
        ``path`` as a Path. FileExistsError when it is a file; OSError naming ``name`` when it
        cannot be made or written into.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{name} {str(out)!r} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"{name} {str(out)!r} cannot be used as a folder: {error.strerror or error}") from None
    probe = out / ".deltagrad-write-test"
    try:
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise OSError(f"{name} {str(out)!r} is not writable: {error.strerror or error}") from None
    return out
