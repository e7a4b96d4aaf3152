"""One Jupyter server, two culling times: an app page's kernel (Voila as a server extension, as on a hub) is shut
down sooner than a JupyterLab notebook's once nothing is connected to it.

Voila starts a page's kernel with ``SERVER_SOFTWARE=voila/<version>`` in its environment; that is how the page
kernels are told apart. Everything else is Jupyter Server's own culling (``MappingKernelManager.cull_*``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer


def is_page_kernel(env: dict[str, str] | None) -> bool:
    """Whether a kernel started with ``env`` serves an app page (Voila)."""
    return env is not None and str(env.get("SERVER_SOFTWARE", "")).startswith("voila/")


def should_cull(idle_s: float, timeout_s: int, connections: int, busy: bool) -> bool:
    """A kernel is culled once idle longer than ``timeout_s`` with no connection and not busy (0: never)."""
    return timeout_s > 0 and idle_s > timeout_s and connections == 0 and not busy


# ipykernel's own noise when a kernel is shut down, printed to the terminal the trainee started the server from
QUIET_KERNEL_WARNINGS = "ignore:coroutine 'IPythonKernel.poll_stopped_queue' was never awaited:RuntimeWarning"


def kernel_env(env: dict[str, str] | None) -> dict[str, str]:
    """A kernel's environment (``env``, or this process's) with ipykernel's shutdown warning filtered out."""
    full = dict(os.environ if env is None else env)
    given = full.get("PYTHONWARNINGS", "")
    if QUIET_KERNEL_WARNINGS not in given.split(","):
        full["PYTHONWARNINGS"] = f"{given},{QUIET_KERNEL_WARNINGS}" if given else QUIET_KERNEL_WARNINGS
    return full


class KamKernelManager(AsyncMappingKernelManager):
    """Jupyter Server's kernel manager, with ``page_cull_idle_timeout`` for the app's page kernels."""

    page_cull_idle_timeout = Integer(
        0, config=True,
        help="Seconds after which an app page's kernel with no connection is shut down (0: as any other kernel).",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._page_kernels: set[str] = set()

    # jupyter_client types MultiKernelManager.start_kernel as synchronous; its async managers (and Jupyter Server's,
    # which this one extends) replace it with a coroutine the same way.
    async def start_kernel(  # type: ignore[override]
        self, *, kernel_id: str | None = None, path: Any = None, **kwargs: Any
    ) -> str:
        page = is_page_kernel(kwargs.get("env"))
        kwargs["env"] = kernel_env(kwargs.get("env"))
        started = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if page:
            self._page_kernels.add(started)
        return started

    async def cull_kernels(self) -> None:
        self._page_kernels &= set(self._kernels)
        await super().cull_kernels()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        if kernel is not None and kernel_id in self._page_kernels and hasattr(kernel, "last_activity"):
            idle = (datetime.now(UTC) - kernel.last_activity).total_seconds()
            connections = self._kernel_connections.get(kernel_id, 0)
            busy = getattr(kernel, "execution_state", None) == "busy"
            if should_cull(idle, self.page_cull_idle_timeout, connections, busy):
                self.log.warning("Culling the app page's kernel %s: no connection and %d s without activity.",
                                 kernel_id, int(idle))
                await self.shutdown_kernel(kernel_id)
                return
        await super().cull_kernel_if_idle(kernel_id)
