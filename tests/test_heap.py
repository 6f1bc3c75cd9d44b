"""wirefeed.heap.trim gives the C heap's free memory back; the heap extension calls it during a crawl."""

from __future__ import annotations

import ctypes
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.heap import trim
from wirefeed.pipelines.heap import HeapExtension
from wirefeed.runner import write_demo_profiles
from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _anon_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("RssAnon:")) / 1024


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_trim_gives_back_freed_memory_that_free_keeps() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(64 * 1024) for _ in range(2000)]  # 125 MiB below the mmap threshold: the heap
    for b in blocks:
        ctypes.memset(b, 1, 64 * 1024)
    guard = libc.malloc(64 * 1024)  # above them, so free() cannot shrink the heap from its top
    for b in blocks:
        libc.free(b)
    held = _anon_mib()
    assert trim()
    assert _anon_mib() < held - 60  # free() kept the pages; trim gave them back
    libc.free(guard)


def test_the_extension_is_off_at_zero(tmp_path: Path) -> None:
    crawler = get_crawler(PortalSpider, project_settings(tmp_path, WIREFEED_HEAP_TRIM_SECONDS=0))
    with pytest.raises(NotConfigured):
        HeapExtension.from_crawler(crawler)


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
@pytest.mark.parametrize(("threshold", "taken"), [(None, 256 * 1024), (0, None), (1 << 20, 1 << 20)])
@deferred_f_from_coro_f
async def test_a_crawl_trims_the_heap(
    tmp_path: Path, demo_server: dict[str, str], threshold: int | None, taken: int | None
) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    extra = {} if threshold is None else {"WIREFEED_HEAP_MMAP_THRESHOLD": threshold}
    settings = project_settings(tmp_path, WIREFEED_PROFILES=paths, WIREFEED_HEAP_TRIM_SECONDS=0.02, **extra)
    crawler = get_crawler(PortalSpider, settings)
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")
    assert crawler.stats is not None
    assert crawler.stats.get_value("wirefeed/memory/trimmed", 0) >= 1
    assert crawler.stats.get_value("wirefeed/memory/mmap-threshold") == taken  # None: glibc's own


# In a fresh process: glibc's sliding threshold is process state. mallinfo2's hblkhd is the bytes of
# blocks mapped on their own; a block the heap serves leaves it unchanged.
_MAPPED = """
import ctypes, sys
from wirefeed.heap import set_mmap_threshold
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
class MI(ctypes.Structure):
    _fields_ = [(f, ctypes.c_size_t) for f in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc.mallinfo2.restype = MI
libc.free(libc.malloc(4 << 20))  # a big block freed: glibc raises its threshold above it
if sys.argv[1] == "fixed":
    assert set_mmap_threshold(256 * 1024)
before = libc.mallinfo2().hblkhd
page = libc.malloc(512 * 1024)  # a page-sized block
print("mapped" if libc.mallinfo2().hblkhd >= before + 512 * 1024 else "heap")
"""


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
@pytest.mark.parametrize(("mode", "where"), [("sliding", "heap"), ("fixed", "mapped")])
def test_a_fixed_mmap_threshold_keeps_page_sized_blocks_off_the_heap(mode: str, where: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _MAPPED, mode], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip() == where
