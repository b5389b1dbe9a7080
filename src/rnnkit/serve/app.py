"""The FastAPI application: a thin JSON layer over :mod:`rnnkit.apps` and the web page at ``/``.

::

    POST /v1/suggest    {"text": "I go to sch", "k": 3}    -> completing, prefix, suggestions
    POST /v1/generate   {"text": "I go to", "n_words": 5}  -> continuation
    POST /v1/sentiment  {"text": "..."} or {"texts": [...]}, "explain": true -> backend, results
    POST /v1/tag        {"text": "show me flights"} or {"texts": [...]} -> results: tokens (word, tag)
    POST /v1/translate  {"text": "I go to school."} or {"texts": [...]}, "beam": 5 -> results: translation
    POST /v1/generate/chars  {"prompt": "ROMEO:", "length": 200} or {"label": "Positive"} -> text
    GET  /v1/health     GET /v1/models (model cards)       GET /openapi.json
    GET  /livez         200 while the process serves       GET /readyz: 200 ready, 503 while shutting down
    GET  /              the page (static/index.html, app.js, style.css: no external assets)

Models are loaded once by :func:`create_app`. Each kind of work runs in its own :class:`~.lanes.Lane`
(its own thread, a bounded queue, a time limit): beyond the queue a request gets 503 with
``Retry-After``, past the time limit 504, and work whose client went away is stopped. The event
loop never runs a model.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from rnnkit._version import __version__
from rnnkit.config import check_choice
from rnnkit.errors import StoppedError
from rnnkit.nn.quantize import QUANTIZE_CHOICES
from rnnkit.serve.errors import BodyLimit, error_response, install_error_handlers
from rnnkit.serve.lanes import DEFAULT_LANES, ClientGone, Lane, LaneLimits, Overloaded, TimedOut
from rnnkit.serve.models import ModelArg, Served, load_served
from rnnkit.serve.schemas import (
    MAX_BODY_BYTES,
    CharsRequest,
    CharsResponse,
    GenerateRequest,
    GenerateResponse,
    Health,
    LaneStats,
    ModelInfo,
    ModelsResponse,
    SentimentRequest,
    SentimentResponse,
    SuggestRequest,
    SuggestResponse,
    TagRequest,
    TagResponse,
    TranslateRequest,
    TranslateResponse,
)

__all__ = ["create_app"]

STATIC = Path(__file__).resolve().parent / "static"
ERROR_RESPONSES = {status: {"description": "{\"error\": \"one line\"}"} for status in (400, 413, 422, 503, 504)}
CLIENT_CLOSED = 499  # nginx's status for a request whose client went away (nobody reads it)


def create_app(nextword: ModelArg = None, sentiment: ModelArg = None,
               lanes: Mapping[str, LaneLimits] | None = None, quantize: str | None = None,
               sentiment_source: tuple[str, str | None] | None = None, **products: ModelArg) -> FastAPI:
    """The service, with its models loaded.

    Args:
        nextword: a :class:`~rnnkit.NextWordPredictor`, a checkpoint path, or None for the bundled model.
        sentiment: a ``SentimentAnalyzer``, a checkpoint path, or None for the bundled model (the
            lexicon backend when none is bundled; ``/v1/health`` says so).
        lanes: limits per kind of work ("suggest", "generate", "sentiment", "tag"); missing kinds
            take :data:`~.lanes.DEFAULT_LANES`.
        quantize: "int8" runs the models with int8 weights (:meth:`~.models.Served.quantize`); None: float32.
        sentiment_source: for a ``SentimentAnalyzer`` object, (where it came from, its model card) as
            ``/v1/health`` and ``/v1/models`` show them (default "given", none; :func:`~.models.load_served`).
        products: the other models by name (``tagger=``): an object, a path, or None for the bundled one.

    Raises:
        CheckpointError: a given path is missing or not a model of the right kind.
        NotTrainedError: ``nextword`` is None and no next-word model is bundled.
        ConfigError: an unknown ``quantize`` scheme.
    """
    if quantize is not None:
        check_choice("quantize", quantize, QUANTIZE_CHOICES)  # before the models load: a typo fails at once
    served = load_served(nextword, sentiment, sentiment_source, **products)
    if quantize is not None:
        served.quantize(quantize)
    limits = {**DEFAULT_LANES, **(lanes or {})}
    work = {name: Lane(name, limit) for name, limit in limits.items()}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ready = True
        yield
        app.state.ready = False

    app = FastAPI(title="rnnkit", version=__version__, docs_url=None, redoc_url=None,  # the docs pages use a CDN
                  description="Next-word suggestions, sentiment, part-of-speech tags, English-to-French translation "
                              "and generated text from recurrent networks.",
                  lifespan=lifespan)
    app.state.served = served
    app.state.lanes = work
    app.state.ready = False  # until the server has started; False again from the first shutdown signal
    install_error_handlers(app)
    _install_lane_errors(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.include_router(_api(served, work), prefix="/v1", responses=ERROR_RESPONSES)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        if not request.app.state.ready:
            return error_response(503, "not ready: starting or shutting down", {"Retry-After": "1"})
        return JSONResponse({"status": "ready"})

    return app


def _install_lane_errors(app: FastAPI) -> None:
    """503 + Retry-After for a full lane, 504 past the time limit, 499 for a client that left."""

    async def overloaded(request: Request, exc: Overloaded) -> JSONResponse:
        return error_response(503, str(exc), {"Retry-After": str(exc.retry_after)})

    async def timed_out(request: Request, exc: Exception) -> JSONResponse:
        return error_response(504, str(exc))

    async def gone(request: Request, exc: ClientGone) -> JSONResponse:
        return error_response(CLIENT_CLOSED, str(exc))

    app.add_exception_handler(Overloaded, overloaded)
    app.add_exception_handler(TimedOut, timed_out)
    app.add_exception_handler(StoppedError, timed_out)
    app.add_exception_handler(ClientGone, gone)


def _api(served: Served, lanes: Mapping[str, Lane]) -> APIRouter:
    """The /v1 routes over ``served``, each kind of work in its lane."""
    router = APIRouter()

    @router.post("/suggest")
    async def suggest(body: SuggestRequest, request: Request) -> SuggestResponse:
        """Next words after a space; completions of the word being typed otherwise."""
        results = await lanes["suggest"].run_batched(served.suggest_batch, [(body.text, body.k)],
                                                     is_disconnected=request.is_disconnected)
        return SuggestResponse(**results[0])

    @router.post("/generate")
    async def generate(body: GenerateRequest, request: Request) -> GenerateResponse:
        """Sample words that continue the text."""
        settings = body.model_dump(exclude={"text"})
        continuation = await lanes["generate"].run(served.generate, body.text, is_disconnected=request.is_disconnected,
                                                   stoppable=True, **settings)
        return GenerateResponse(continuation=continuation)

    @router.post("/sentiment")
    async def sentiment(body: SentimentRequest, request: Request) -> SentimentResponse:
        """Label, class scores, compound and optional per-token contributions for one text or several."""
        texts = body.all_texts()
        if body.explain:  # explained texts are scored once per token: alone, not in a shared batch
            results = await lanes["sentiment"].run(served.sentiment_results, texts, True,
                                                   is_disconnected=request.is_disconnected, stoppable=True)
        else:
            results = await lanes["sentiment"].run_batched(served.sentiment_batch, texts,
                                                           is_disconnected=request.is_disconnected)
        return SentimentResponse(backend=served.sentiment.backend, results=results)

    @router.post("/tag")
    async def tag(body: TagRequest, request: Request) -> TagResponse:
        """Each word with its Universal POS tag (the bundled tagger knows air-travel English: UD English-Atis)."""
        results = await lanes["tag"].run_batched(served.tag, body.all_texts(), is_disconnected=request.is_disconnected)
        return TagResponse(results=results)

    @router.post("/translate")
    async def translate(body: TranslateRequest, request: Request) -> TranslateResponse:
        """English to French with the bundled encoder-decoder (attention, beam search; Tatoeba sentences)."""
        results = await lanes["translate"].run(served.translate, body.all_texts(), body.beam,
                                               is_disconnected=request.is_disconnected, stoppable=True)
        return TranslateResponse(results=results)

    @router.post("/generate/chars")
    async def generate_chars(body: CharsRequest, request: Request) -> CharsResponse:
        """Characters that continue the prompt: Shakespeare, or with a label a product review of that sentiment."""
        settings = body.model_dump(exclude={"prompt", "label"})
        result = await lanes["chars"].run(served.write, body.prompt, body.label,
                                          is_disconnected=request.is_disconnected, stoppable=True, **settings)
        return CharsResponse(**result)

    @router.get("/health")
    async def health() -> Health:
        """Whether the service is up, what it serves, the fallbacks it took and its limits."""
        return Health(version=__version__, nextword=served.sources["nextword"],
                      sentiment=f"{served.sentiment.backend} ({served.sources['sentiment']})",
                      tagger=served.sources["tagger"], translator=served.sources["translator"],
                      chars=served.sources["chars"],
                      reviews=served.sources["reviews"], quantized=served.quantized,
                      notes=list(served.notes.values()), process=os.getpid(),
                      lanes={name: LaneStats(**lane.limits_and_stats()) for name, lane in lanes.items()})

    @router.get("/models")
    async def models() -> ModelsResponse:
        """What each model is, where it came from, and its model card."""
        objects = {"nextword": served.nextword, "sentiment": served.sentiment, **served.products}
        return ModelsResponse(**{name: ModelInfo(name=repr(objects[name]), source=served.sources[name],
                                                 note=served.notes.get(name), card=served.cards.get(name))
                                 for name in objects})

    return router
