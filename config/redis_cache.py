"""Django's Redis cache backend, with one client object per connection pool instead of a new
one per call (issue #21).

Django's RedisCacheClient.get_client builds a `redis.Redis` around the (shared) pool on every
cache call; redis-py's constructor fills a table of response callbacks each time: ~130 us of
CPU per call on this machine, as much as the round trip itself (bench numbers in the README).
A page makes several cache calls (its session, the navigation bar, fragments), so the client is
made once per pool and reused: a `redis.Redis` over a pool is safe to share between threads.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> object:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
