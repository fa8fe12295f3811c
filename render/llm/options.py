"""The options of `emit transcripts { engine llm ... }`: the model and where
it is served, how hard it may be driven, and what happens when a call cannot
be made to follow its plan. The API key is not an option: only the name of the
environment variable holding it is, so no spec, plan or manifest can carry it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _usd(v):
    """`20 usd` (a quantity, as a spec writes money) or a plain number of US dollars."""
    if isinstance(v, str):
        num, _, unit = v.strip().partition(" ")
        if unit.strip().lower() not in ("", "usd"):
            raise ValueError(f"the budget is in usd, not `{unit.strip()}`")
        return num
    return v


class LlmOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    model: str = "gpt-4o-mini"
    base_url: str | None = None  # any OpenAI-compatible server; None: OPENAI_BASE_URL, else the OpenAI API
    api_key_env: str = Field("OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    temperature: float = Field(0.8, ge=0.0, le=2.0)
    max_tokens: int = Field(8000, ge=256, le=200_000)  # per request
    max_concurrency: int = Field(8, ge=1, le=1024)  # requests in flight per build process
    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)
    segments: Literal["whole", "stage"] = "whole"  # one request per call, or one per phase of its outline
    judge: str | None = None  # a second model that confirms or flags what the lexicon cannot decide
    max_repairs: int = Field(2, ge=0, le=10)
    fallback: Literal["template", "fail"] = "template"
    structured: Literal["strict", "prompt"] = "strict"  # json_schema enforced by the server, or in the prompt only
    # USD per million tokens, overriding render/llm/prices.json for `corpusc plan`'s estimate and the build's total
    price_input: float | None = Field(None, ge=0)
    price_cached_input: float | None = Field(None, ge=0)
    price_output: float | None = Field(None, ge=0)
    batch_discount: float | None = Field(None, ge=0, le=1)  # the fraction the Batch API takes off (0.5: half price)
    # `budget 20 usd`: `check` fails when `corpusc plan`'s estimate of the first round exceeds it (E0735)
    budget: Annotated[float | None, BeforeValidator(_usd)] = Field(None, ge=0)
    # a folder of .j2 templates overriding the shipped ones, file by file (relative to the spec)
    prompts: str | None = Field(None, json_schema_extra={"relative_to": "spec", "exists": True})
    # a cache folder shared between outputs (relative to the spec); default: OUT/.corpusc/llm
    cache: str | None = Field(None, json_schema_extra={"relative_to": "spec"})

