"""The FastAPI application: a thin JSON layer over :mod:`rnnkit.apps` and the web page at ``/``.

::

    POST /v1/suggest    {"text": "I go to sch", "k": 3}    -> completing, prefix, suggestions
    POST /v1/generate   {"text": "I go to", "n_words": 5}  -> continuation
    POST /v1/sentiment  {"text": "..."} or {"texts": [...]}, "explain": true -> backend, results
    GET  /v1/health     GET /v1/models (model cards)       GET /openapi.json
    GET  /              the page (static/index.html, app.js, style.css: no external assets)

Models are loaded once by :func:`create_app`; each request runs its model in a worker thread
(``run_in_threadpool``), so the event loop keeps serving while a model works.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from rnnkit._version import __version__
from rnnkit.serve.errors import BodyLimit, install_error_handlers
from rnnkit.serve.models import ModelArg, Served, load_served
from rnnkit.serve.schemas import (
    MAX_BODY_BYTES,
    GenerateRequest,
    GenerateResponse,
    Health,
    ModelInfo,
    ModelsResponse,
    SentimentRequest,
    SentimentResponse,
    SuggestRequest,
    SuggestResponse,
)

__all__ = ["create_app"]

STATIC = Path(__file__).resolve().parent / "static"
ERROR_RESPONSES = {status: {"description": "{\"error\": \"one line\"}"} for status in (400, 413, 422)}


def create_app(nextword: ModelArg = None, sentiment: ModelArg = None) -> FastAPI:
    """The service, with its models loaded.

    Args:
        nextword: a :class:`~rnnkit.NextWordPredictor`, a checkpoint path, or None for the bundled model.
        sentiment: a ``SentimentAnalyzer``, a checkpoint path, or None for the bundled model (the
            lexicon backend when none is bundled; ``/v1/health`` says so).

    Raises:
        CheckpointError: a given path is missing or not a model of the right kind.
        NotTrainedError: ``nextword`` is None and no next-word model is bundled.
    """
    served = load_served(nextword, sentiment)
    app = FastAPI(title="rnnkit", version=__version__, docs_url=None, redoc_url=None,  # the docs pages use a CDN
                  description="Next-word suggestions and sentiment from recurrent networks.")
    app.state.served = served
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.include_router(_api(served), prefix="/v1", responses=ERROR_RESPONSES)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app


def _api(served: Served) -> APIRouter:
    """The /v1 routes over ``served``."""
    router = APIRouter()

    @router.post("/suggest")
    async def suggest(request: SuggestRequest) -> SuggestResponse:
        """Next words after a space; completions of the word being typed otherwise."""
        return SuggestResponse(**await run_in_threadpool(served.suggest, request.text, request.k))

    @router.post("/generate")
    async def generate(request: GenerateRequest) -> GenerateResponse:
        """Sample words that continue the text."""
        settings = request.model_dump(exclude={"text"})
        return GenerateResponse(continuation=await run_in_threadpool(served.generate, request.text, **settings))

    @router.post("/sentiment")
    async def sentiment(request: SentimentRequest) -> SentimentResponse:
        """Label, class scores, compound and optional per-token contributions for one text or several."""
        texts = request.texts if request.texts is not None else [request.text]
        results = await run_in_threadpool(served.sentiment_results, texts, request.explain)
        return SentimentResponse(backend=served.sentiment.backend, results=results)

    @router.get("/health")
    async def health() -> Health:
        """Whether the service is up, what it serves, the fallbacks it took and its limits."""
        return Health(version=__version__, nextword=served.sources["nextword"],
                      sentiment=f"{served.sentiment.backend} ({served.sources['sentiment']})",
                      notes=list(served.notes.values()))

    @router.get("/models")
    async def models() -> ModelsResponse:
        """What each model is, where it came from, and its model card."""
        return ModelsResponse(**{name: ModelInfo(name=repr(getattr(served, name)), source=served.sources[name],
                                                 note=served.notes.get(name), card=served.cards.get(name))
                                 for name in ("nextword", "sentiment")})

    return router
