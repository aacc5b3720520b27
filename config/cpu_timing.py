"""Server-side CPU per request, for the load benchmarks only (bench/load.py, bench/kickoff_load.py).

Switched on by the environment variable SNOWBALL_CPU_LOG (a file path), which only the
benchmarks set (config/settings.py adds this middleware first when it is there). Each request
appends one line, `name<TAB>cpu_ms<TAB>status`, to that file; the benchmark reads it when the
server has stopped. The name is the benchmark's own label for the request (header
X-Bench-Name) or else the route's name.

The clock is `time.thread_time()`, the CPU time of the thread serving the request: gunicorn
runs several threads per worker, and `time.process_time()` would charge each request with the
work its neighbours did meanwhile. Time spent waiting (for PostgreSQL, for Redis, for the GIL)
is not CPU and is not counted: this is what the page costs the web server, not its latency.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class CpuTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # O_APPEND: each line is one write(), whole even when the workers' threads interleave.
        self.fd = os.open(
            os.environ["SNOWBALL_CPU_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.thread_time()
        response = self.get_response(request)
        cpu_ms = (time.thread_time() - started) * 1000
        name = request.headers.get("X-Bench-Name") or (
            request.resolver_match.url_name if request.resolver_match else request.path
        )
        name = (name or "?").replace("\t", " ").replace("\n", " ")
        os.write(self.fd, f"{name}\t{cpu_ms:.3f}\t{response.status_code}\n".encode())
        return response
