"""Admission control: bounded queues per kind of work, time limits, dropped clients, readiness."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from rnnkit.errors import ConfigError, InputError, StoppedError
from rnnkit.serve import create_app
from rnnkit.serve.lanes import ClientGone, Lane, LaneLimits, Overloaded, TimedOut


def _held(started: threading.Event, release: threading.Event, seen: list | None = None):
    """Blocking work that waits for ``release`` while watching ``should_stop`` (recorded in ``seen``)."""

    def work(should_stop=None):
        started.set()
        while not release.wait(0.01):
            if should_stop is not None and should_stop():
                if seen is not None:
                    seen.append("stopped")
                raise StoppedError("stopped")
        return "done"

    return work


def test_lane_limits_are_checked():
    with pytest.raises(ConfigError, match="queue"):
        LaneLimits(queue=-1)
    with pytest.raises(ConfigError, match="timeout_s"):
        LaneLimits(timeout_s=0)
    assert LaneLimits(workers=2, queue=3).capacity == 5


def test_a_full_lane_refuses_at_once_and_frees_its_place_when_work_ends():
    lane = Lane("slow", LaneLimits(workers=1, queue=1, timeout_s=5))
    started, release = threading.Event(), threading.Event()

    async def scenario():
        first = asyncio.create_task(lane.run(_held(started, release), stoppable=True))
        second = asyncio.create_task(lane.run(lambda: "queued"))
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        with pytest.raises(Overloaded, match="slow queue is full") as refused:
            await lane.run(lambda: "third")
        assert time.perf_counter() - t0 < 0.05 and refused.value.retry_after >= 1
        release.set()
        assert await first == "done" and await second == "queued"
        await asyncio.sleep(0.01)
        return await lane.run(lambda: "after")

    assert asyncio.run(scenario()) == "after"
    assert lane.pending == 0 and lane.refused == 1


def test_a_request_past_its_time_limit_is_stopped_and_queued_work_never_starts():
    lane = Lane("gen", LaneLimits(workers=1, queue=4, timeout_s=0.2))
    release, told, ran = threading.Event(), [], []

    def busy(should_stop):
        release.wait(10)  # holds the worker past both deadlines, whatever the machine's load
        told.append(should_stop())

    async def scenario():
        running = asyncio.create_task(lane.run(busy, stoppable=True))
        queued = asyncio.create_task(lane.run(lambda: ran.append("ran")))
        for task in (running, queued):
            with pytest.raises(TimedOut, match="took over 0.2 s"):
                await task
        release.set()
        for _ in range(100):
            if lane.pending == 0:
                break
            await asyncio.sleep(0.02)

    asyncio.run(scenario())
    assert told == [True] and ran == [] and lane.timed_out == 2 and lane.pending == 0


def test_work_for_a_client_that_went_away_is_stopped():
    lane = Lane("gen", LaneLimits(workers=1, queue=1, timeout_s=10))
    started, release, seen = threading.Event(), threading.Event(), []

    async def gone() -> bool:
        return started.is_set()

    async def scenario():
        with pytest.raises(ClientGone):
            await lane.run(_held(started, release, seen), stoppable=True, is_disconnected=gone)
        await asyncio.sleep(0.1)

    asyncio.run(scenario())
    assert seen == ["stopped"] and lane.dropped == 1


@pytest.fixture(scope="module")
def tight_app(app):
    """The bundled models behind tight lanes: one generate at a time, no queue, a 1 s limit."""
    served = app.state.served
    return create_app(served.nextword, served.sentiment,
                      lanes={"generate": LaneLimits(workers=1, queue=0, timeout_s=1.0)})


def test_a_flood_of_generate_requests_gets_503_while_suggest_stays_fast(tight_app):
    served = tight_app.state.served
    started, release = threading.Event(), threading.Event()
    real = served.generate

    def held(*args, should_stop=None, **kwargs):
        _held(started, release)(should_stop)
        return real(*args, **kwargs)

    served.generate = held
    try:
        async def scenario():
            transport = httpx.ASGITransport(app=tight_app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                busy = asyncio.create_task(client.post("/v1/generate", json={"text": "I go", "n_words": 3}))
                assert await asyncio.to_thread(started.wait, 10)
                flood = await asyncio.gather(*[client.post("/v1/generate", json={"text": "I"}) for _ in range(20)])
                t0 = time.perf_counter()
                suggest = await client.post("/v1/suggest", json={"text": "I go to "})
                suggest_s = time.perf_counter() - t0
                release.set()
                return await busy, flood, suggest, suggest_s

        busy, flood, suggest, suggest_s = asyncio.run(scenario())
    finally:
        served.generate = real
    assert busy.status_code == 200
    assert {r.status_code for r in flood} == {503}
    assert "generate queue is full" in flood[0].json()["error"] and int(flood[0].headers["retry-after"]) >= 1
    assert suggest.status_code == 200 and suggest_s < 1.0


def test_a_generation_past_the_time_limit_is_a_504_and_stops(tight_app):
    served = tight_app.state.served
    seen: list[str] = []
    real = served.generate

    def slow(text, should_stop=None, **settings):
        while not should_stop():
            time.sleep(0.01)
        seen.append("stopped")
        raise StoppedError("stopped")

    served.generate = slow
    try:
        with TestClient(tight_app) as client:
            t0 = time.perf_counter()
            r = client.post("/v1/generate", json={"text": "I go", "n_words": 200})
            elapsed = time.perf_counter() - t0
            time.sleep(0.1)
            health = client.get("/v1/health").json()
    finally:
        served.generate = real
    assert r.status_code == 504 and "took over 1 s" in r.json()["error"] and elapsed < 3
    assert seen == ["stopped"]
    assert health["lanes"]["generate"]["timed_out"] >= 1 and health["lanes"]["generate"]["pending"] == 0


def test_the_real_generator_stops_between_words():
    from rnnkit import NextWordPredictor

    calls = []

    def stop_after_three():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(StoppedError, match="after 3 of 50 words"):
        NextWordPredictor.load().generate("I go", 50, seed=1, should_stop=stop_after_three)


def test_livez_and_readyz(tight_app):
    outside = TestClient(tight_app)  # no lifespan: the server has not started
    assert outside.get("/livez").json() == {"status": "alive"}
    r = outside.get("/readyz")
    assert r.status_code == 503 and r.headers["retry-after"] == "1" and "not ready" in r.json()["error"]
    with TestClient(tight_app) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
    assert outside.get("/readyz").status_code == 503  # shut down again


def test_requests_within_the_window_share_one_call_and_keep_their_own_results():
    lane = Lane("sentiment", LaneLimits(workers=1, queue=16, timeout_s=5, batch_window_ms=50, max_batch=64))
    calls = []

    def work(texts, should_stop=None):
        calls.append(list(texts))
        return [t.upper() for t in texts]

    async def scenario():
        return await asyncio.gather(*[lane.run_batched(work, [f"a{i}", f"b{i}"]) for i in range(5)])

    results = asyncio.run(scenario())
    assert results == [[f"A{i}", f"B{i}"] for i in range(5)]
    assert len(calls) == 1 and len(calls[0]) == 10 and lane.batches == 1 and lane.pending == 0


def test_a_batch_never_exceeds_max_batch_and_the_backlog_goes_at_once():
    lane = Lane("tag", LaneLimits(workers=1, queue=32, timeout_s=5, batch_window_ms=20, max_batch=4))
    sizes = []

    def work(texts, should_stop=None):
        sizes.append(len(texts))
        time.sleep(0.02)
        return list(texts)

    async def scenario():
        return await asyncio.gather(*[lane.run_batched(work, [str(i)]) for i in range(10)])

    assert asyncio.run(scenario()) == [[str(i)] for i in range(10)]
    assert max(sizes) <= 4 and sum(sizes) == 10 and len(sizes) == 3


def test_one_bad_text_fails_only_its_own_request():
    lane = Lane("sentiment", LaneLimits(workers=1, queue=16, timeout_s=5, batch_window_ms=50))

    def work(texts, should_stop=None):
        if "bad" in texts:
            raise InputError("bad text")
        return [len(t) for t in texts]

    async def scenario():
        return await asyncio.gather(lane.run_batched(work, ["good"]), lane.run_batched(work, ["bad"]),
                                    lane.run_batched(work, ["fine", "ok"]), return_exceptions=True)

    good, bad, fine = asyncio.run(scenario())
    assert good == [4] and fine == [4, 2] and isinstance(bad, InputError)


def test_without_a_window_batched_requests_run_alone():
    lane = Lane("sentiment", LaneLimits(workers=1, queue=16, timeout_s=5, batch_window_ms=0))
    calls = []

    def work(texts, should_stop=None):
        calls.append(list(texts))
        return list(texts)

    async def scenario():
        return await asyncio.gather(*[lane.run_batched(work, [str(i)]) for i in range(3)])

    assert asyncio.run(scenario()) == [["0"], ["1"], ["2"]] and len(calls) == 3 and lane.batches == 0


def test_batched_sentiment_answers_equal_unbatched_ones(app):
    served = app.state.served
    texts = ["I love it", "terrible service", "The box is blue.", "not bad at all!!"]
    batched = create_app(served.nextword, served.sentiment,
                         lanes={"sentiment": LaneLimits(queue=32, timeout_s=10, batch_window_ms=30)})

    async def scenario():
        transport = httpx.ASGITransport(app=batched)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*[client.post("/v1/sentiment", json={"text": t}) for t in texts])
            health = (await client.get("/v1/health")).json()
            return answers, health

    answers, health = asyncio.run(scenario())
    alone = served.sentiment.results(texts)
    for answer, expected in zip(answers, alone, strict=True):
        result = answer.json()["results"][0]
        assert result["label"] == expected["label"]
        assert result["scores"] == pytest.approx(expected["scores"], abs=1e-6)
    assert health["lanes"]["sentiment"]["batches"] < len(texts)


def test_a_lone_request_whose_batch_fails_is_not_run_again():
    lane = Lane("tag", LaneLimits(workers=1, queue=4, timeout_s=5, batch_window_ms=5))
    calls = []

    def work(texts, should_stop=None):
        calls.append(list(texts))
        raise InputError("bad text")

    with pytest.raises(InputError, match="bad text"):
        asyncio.run(lane.run_batched(work, ["bad"]))
    assert calls == [["bad"]] and lane.pending == 0
