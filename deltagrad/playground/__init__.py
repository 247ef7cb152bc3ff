"""The playground: a local web app that trains an MLP live and shows the backprop of any sample.

``deltagrad playground`` (``command``) serves it (``server``); a ``session`` is one training run;
``record`` writes a run as an offline page; the page itself is in ``static/``.
"""

from .config import Config, configure
from .recorder import Recording, record
from .server import Playground, PlaygroundServer, start
from .session import Session

__all__ = ["Config", "Playground", "PlaygroundServer", "Recording", "Session", "configure", "record", "start"]
