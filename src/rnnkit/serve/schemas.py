"""The service's limits and the JSON shapes of its requests and responses (pydantic models).

The bounds live on the fields, so they are checked before any model runs and the OpenAPI schema at
``/openapi.json`` documents them. Every request model forbids unknown fields: a misspelt ``"txt"``
is an error, not a silent default.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from rnnkit.apps.generator.sampling import MAX_GUIDANCE
from rnnkit.apps.nextword.sampling import MAX_SEED, TOP_K_OFF, TOP_P_OFF
from rnnkit.apps.sentiment.analyzer import MAX_EXPLAIN_WORDS
from rnnkit.apps.translator.config import DEFAULT_BEAM

__all__ = [
    "MAX_SERVED_BEAM",
    "TranslateRequest",
    "TranslateResponse",
    "Translation",
    "CharsRequest",
    "CharsResponse",
    "MAX_BATCH",
    "MAX_BODY_BYTES",
    "MAX_EXPLAIN",
    "MAX_EXPLAIN_WORDS",
    "MAX_K",
    "MAX_SEED",
    "MAX_SEED_JSON",
    "MAX_CHARS",
    "MAX_WORDS",
    "GenerateRequest",
    "GenerateResponse",
    "Health",
    "LaneStats",
    "ModelInfo",
    "ModelsResponse",
    "SentimentRequest",
    "SentimentResponse",
    "SentimentResult",
    "SuggestRequest",
    "TagRequest",
    "TagResponse",
    "TagResult",
    "TaggedWord",
    "SuggestResponse",
]

MAX_BODY_BYTES = 64 * 1024  # the largest request body; a review or a paragraph fits many times over
MAX_K = 20  # the most suggestions per request; a keyboard shows 3
MAX_BATCH = 64  # the most texts per sentiment request
MAX_EXPLAIN = 4  # the most texts explained per request: occlusion scores the text once more per token
# The largest seed the schema can state exactly: OpenAPI numbers are doubles, and 2**64 - 1 would be
# written as 2**64 (above the app's MAX_SEED). 2**64 - 2048 is a double and within MAX_SEED.
MAX_SEED_JSON = MAX_SEED - 2047

MAX_WORDS = 200  # the most words one generate request samples (about 0.1 s on one core)
MAX_CHARS = 1000  # the most characters one generate/chars request samples (about 1.5 s on one busy core)
MAX_SERVED_BEAM = 10  # the widest beam one translate request may ask for (time grows with the width)
# The service's own floor: the app samples greedily below any temperature it can represent, but a
# request for 0.0001 is more likely a slip than a wish for argmax; 0.01 is already near-greedy.
MIN_TEMPERATURE = 0.01


def _valid_unicode(text: str) -> str:
    """JSON may carry lone surrogates ("\\ud800"); they are not text and cannot be encoded back."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(f"text is not valid Unicode: lone surrogate at index {err.start}") from err
    return text


# The pattern tells schema readers (and fuzzers) what _valid_unicode checks: no lone surrogates.
Text = Annotated[str, Field(strict=True, json_schema_extra={"pattern": r"^[^\ud800-\udfff]*$"}),
                 AfterValidator(_valid_unicode)]
def _integral(value: object) -> object:
    """3.0 is the integer 3 (JSON Schema's "integer" says so too); 3.5, "3" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Int = Annotated[int, Field(strict=True), BeforeValidator(_integral)]  # 3 or 3.0; not 3.5, "3" or true


def _seed_in_range(seed: int) -> int:
    if seed > MAX_SEED:
        raise ValueError(f"seed must be at most {MAX_SEED}, got {seed}")
    return seed


# The schema states MAX_SEED_JSON (a double); the service takes every seed the app takes, up to MAX_SEED,
# so any integer a schema reader rounds to the stated maximum is accepted too.
Seed = Annotated[int, Field(strict=True, ge=0, json_schema_extra={"maximum": MAX_SEED_JSON}),
                 BeforeValidator(_integral), AfterValidator(_seed_in_range)]
Number = Annotated[float, Field(allow_inf_nan=False)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SuggestRequest(_Request):
    """``text`` ending in a space asks for the next word; ending inside a word, for completions of it."""

    text: Text = Field(description='the text so far, e.g. "I go to " or "I go to sch"')
    k: Int = Field(3, ge=1, le=MAX_K, description="how many suggestions")


class Suggestion(BaseModel):
    word: str
    probability: float = Field(description="renormalised over the candidates (all words, or those with the prefix)")


class SuggestResponse(BaseModel):
    completing: bool = Field(description="true when the text ends inside a word and suggestions complete it")
    prefix: str = Field(description='the part of the last word that suggestions replace ("" after a space)')
    suggestions: list[Suggestion] = Field(description="best first; empty when no word has the prefix")


class GenerateRequest(_Request):
    """Sampling settings of :meth:`rnnkit.NextWordPredictor.generate`."""

    text: Text = Field("", description='the start ("" starts a sentence); its last word counts as finished')
    n_words: Int = Field(10, ge=1, le=MAX_WORDS, description="how many words to sample")
    temperature: Number = Field(1.0, ge=MIN_TEMPERATURE, le=100.0, description="below 1 is more conservative")
    top_k: Int = Field(TOP_K_OFF, ge=TOP_K_OFF, le=1_000_000,
                       description=f"sample among the k most likely words; {TOP_K_OFF} = all")
    top_p: Number = Field(TOP_P_OFF, gt=0.0, le=TOP_P_OFF, description=f"nucleus sampling; {TOP_P_OFF:g} = off")
    seed: Seed | None = Field(
        None, description="makes the result repeatable")


class GenerateResponse(BaseModel):
    continuation: str = Field(description="the sampled words alone, joined by spaces")


def _exactly_one_text_field(schema: dict) -> None:
    """The JSON Schema says what the validator does: exactly one of text / texts, neither null."""
    properties = schema["properties"]
    for name in ("text", "texts"):
        described = {key: value for key, value in properties[name].items() if key in ("description", "title")}
        properties[name] = [branch for branch in properties[name]["anyOf"] if branch.get("type") != "null"][0]
        properties[name].update(described)
    schema["oneOf"] = [{"required": ["text"]}, {"required": ["texts"]}]


class _TextOrTexts(_Request):
    """Exactly one of ``text`` and ``texts``; the response always holds a list of results."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_exactly_one_text_field)

    text: Text | None = Field(None, description="one text")
    texts: list[Text] | None = Field(None, min_length=1, max_length=MAX_BATCH, description="several texts")

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: object) -> object:
        if isinstance(data, dict):
            for name in ("text", "texts"):
                if name in data and data[name] is None:
                    raise ValueError(f'"{name}" must not be null; give exactly one of "text" and "texts"')
        return data

    @model_validator(mode="after")
    def _one_of(self) -> _TextOrTexts:
        if (self.text is None) == (self.texts is None):
            raise ValueError('give exactly one of "text" and "texts"')
        return self

    def all_texts(self) -> list[str]:
        """``texts``, or ``[text]``."""
        return list(self.texts) if self.texts is not None else [self.text]


def _explain_caps_texts(schema: dict) -> None:
    _exactly_one_text_field(schema)
    schema["if"] = {"properties": {"explain": {"const": True}}, "required": ["explain", "texts"]}
    schema["then"] = {"properties": {"texts": {"maxItems": MAX_EXPLAIN}}}


def _guidance_needs_a_label(schema: dict) -> None:
    schema["if"] = {"properties": {"guidance": {"type": "number"}}, "required": ["guidance"]}
    schema["then"] = {"required": ["label"], "properties": {"label": {"type": "string"}}}


class CharsRequest(_Request):
    """Settings of :meth:`rnnkit.CharGenerator.generate`; a ``label`` asks the review generator instead."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_guidance_needs_a_label)

    prompt: Text = Field("", description='the start ("" starts a new passage, or a new review of the label)')
    length: Int = Field(200, ge=1, le=MAX_CHARS, description="the most characters to write")
    temperature: Number = Field(1.0, ge=MIN_TEMPERATURE, le=100.0, description="below 1 is more conservative")
    top_k: Int = Field(TOP_K_OFF, ge=TOP_K_OFF, le=1_000, description=f"the k likeliest characters; {TOP_K_OFF} = all")
    top_p: Number = Field(TOP_P_OFF, gt=0.0, le=TOP_P_OFF, description=f"nucleus sampling; {TOP_P_OFF:g} = off")
    seed: Seed | None = Field(
        None, description="makes the result repeatable")
    label: Literal["Negative", "Neutral", "Positive"] | None = Field(
        None, description="write a product review of this sentiment (the review generator); null: Shakespeare")
    guidance: Annotated[float, Field(ge=0.0, le=MAX_GUIDANCE, allow_inf_nan=False)] | None = Field(
        None, description="with a label: how hard to push away from the other labels; null: the model's default")

    @model_validator(mode="after")
    def _guidance_with_label(self) -> CharsRequest:
        if self.guidance is not None and self.label is None:
            raise ValueError("guidance steers the review generator: give a label with it, or leave it out")
        return self


class CharsResponse(BaseModel):
    prompt: str
    label: str | None
    text: str = Field(description="the sampled characters alone")
    finished: bool = Field(description="true when the review generator ended its text before length")


class SentimentRequest(_TextOrTexts):
    """Exactly one of ``text`` and ``texts``; the response always holds a list of results."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_explain_caps_texts)

    explain: Annotated[bool, Field(strict=True)] = Field(
        False, description=f"add each token's contribution (at most {MAX_EXPLAIN} texts per request)")

    @model_validator(mode="after")
    def _explain_cap(self) -> SentimentRequest:
        if self.explain and self.texts is not None and len(self.texts) > MAX_EXPLAIN:
            raise ValueError(f"explain takes at most {MAX_EXPLAIN} texts per request, got {len(self.texts)}; "
                             "send the rest without explain or in several requests")
        return self


class TranslateRequest(_TextOrTexts):
    """English text(s) to French; ``beam`` 1 is greedy decoding."""

    beam: Int = Field(DEFAULT_BEAM, ge=1, le=MAX_SERVED_BEAM, description="beam width; 1 = greedy")


class Translation(BaseModel):
    text: str = Field(description="the English text, as given")
    translation: str = Field(description="the French translation")
    beam: int
    unknown: list[str] = Field(description="English words the model never saw in training")
    truncated: bool = Field(description="true when the English text was longer than the model reads")


class TranslateResponse(BaseModel):
    results: list[Translation] = Field(description="one per text, in order")


class TagRequest(_TextOrTexts):
    """Exactly one of ``text`` and ``texts`` (raw text: words and punctuation are split by the tagger)."""


class TaggedWord(BaseModel):
    word: str = Field(description="as typed")
    tag: str = Field(description="its Universal POS tag (NOUN, VERB, ADP ...)")


class TagResult(BaseModel):
    tokens: list[TaggedWord] = Field(description="one per word, in order")


class TagResponse(BaseModel):
    results: list[TagResult] = Field(description="one per text, in order")


class ClassScores(BaseModel):
    Negative: float
    Neutral: float
    Positive: float


class TokenContribution(BaseModel):
    token: str
    contribution: float = Field(description="above 0 pushes towards Positive, below 0 towards Negative")


class SentimentResult(BaseModel):
    label: Literal["Negative", "Neutral", "Positive"]
    scores: ClassScores = Field(description="class probabilities, summing to 1")
    compound: float = Field(description="one number in [-1, 1]: Positive minus Negative, or VADER's compound")
    explanation: list[TokenContribution] | None = Field(
        None, description=f"present when explain was true; covers the first {MAX_EXPLAIN_WORDS} words")


class SentimentResponse(BaseModel):
    backend: str = Field(description="the analyzer that answered")
    results: list[SentimentResult] = Field(description="one per text, in order")


class ModelInfo(BaseModel):
    name: str = Field(description="what the model is, e.g. its architecture")
    source: str = Field(description='"bundled", a file path, or "given" for an object passed to create_app')
    note: str | None = Field(None, description="why the service runs something other than what was asked")
    card: str | None = Field(None, description="the model card (Markdown), where one exists")


class ModelsResponse(BaseModel):
    nextword: ModelInfo
    sentiment: ModelInfo
    tagger: ModelInfo
    translator: ModelInfo
    chars: ModelInfo
    reviews: ModelInfo


class Limits(BaseModel):
    max_body_bytes: int = MAX_BODY_BYTES
    max_k: int = MAX_K
    max_batch: int = MAX_BATCH
    max_explain: int = MAX_EXPLAIN
    max_explain_words: int = MAX_EXPLAIN_WORDS
    max_words: int = MAX_WORDS
    max_chars: int = MAX_CHARS
    max_beam: int = MAX_SERVED_BEAM


class LaneStats(BaseModel):
    workers: int = Field(description="requests of this kind that run at once")
    queue: int = Field(description="requests that may wait beyond those; one more gets 503")
    timeout_s: float = Field(description="a request's time limit; past it the answer is 504")
    batch_window_ms: float = Field(description="how long a request waits for others to share its batch; 0 = none")
    max_batch: int = Field(description="the most texts in one batch")
    pending: int = Field(description="running or waiting now")
    refused: int = Field(description="503s since start")
    timed_out: int = Field(description="504s since start")
    dropped: int = Field(description="requests whose client went away, since start")
    batches: int = Field(description="batched model calls since start")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    nextword: str = Field(description="the next-word model's source")
    sentiment: str = Field(description="the sentiment backend and source")
    tagger: str = Field(description="the part-of-speech tagger's source")
    translator: str = Field(description="the English-to-French translator's source")
    chars: str = Field(description="the character generator's source")
    reviews: str = Field(description="the review generator's source")
    quantized: str | None = Field(None, description="\"int8\" when the models run with int8 weights (--quantize)")
    notes: list[str] = Field(description="fallbacks taken at start, e.g. the lexicon instead of a missing model")
    process: int = Field(description="the id of the server process that answered (one of N with --workers N)")
    limits: Limits = Limits()
    lanes: dict[str, LaneStats] = Field(default_factory=dict, description="each kind of work's limits and counters")
