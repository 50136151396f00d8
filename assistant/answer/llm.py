"""Chat models through LangChain: one factory, one match on the provider."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.settings import LLMSettings


class BackendUnavailable(RuntimeError):
    """The configured LLM backend cannot be built; the message names what to install."""


def make_chat_model(cfg: LLMSettings) -> BaseChatModel | None:
    """The chat model for ``cfg.provider``, or None for the offline composer."""
    match cfg.provider:
        case "none":
            return None
        case "ollama":
            try:
                from langchain_ollama import ChatOllama
            except ImportError as exc:
                raise BackendUnavailable("Installeer de extra: pip install 'stem-alliantiewijzer[ollama]'") from exc
            return ChatOllama(model=cfg.model, base_url=cfg.base_url or "http://127.0.0.1:11434",
                              temperature=cfg.temperature, client_kwargs={"timeout": cfg.timeout_s})
        case "openai":
            try:
                from langchain_openai import ChatOpenAI
            except ImportError as exc:
                raise BackendUnavailable("Installeer de extra: pip install 'stem-alliantiewijzer[openai]'") from exc
            return ChatOpenAI(model=cfg.model, base_url=cfg.base_url, api_key=cfg.api_key or "niet-nodig",
                              temperature=cfg.temperature, timeout=cfg.timeout_s, max_retries=0)
        case "llamacpp":
            try:
                from langchain_community.chat_models import ChatLlamaCpp
            except ImportError as exc:
                raise BackendUnavailable("Installeer de extra: pip install 'stem-alliantiewijzer[llamacpp]'") from exc
            return ChatLlamaCpp(model_path=cfg.model, temperature=cfg.temperature, n_ctx=4096, verbose=False)
        case "fake":
            return QuotingChatModel()
    raise BackendUnavailable(f"Onbekende LLM-provider: {cfg.provider}")


def describe(cfg: LLMSettings) -> str:
    """Short label of the answering mode for the UI and the JSON output."""
    return "offline" if cfg.provider == "none" else f"{cfg.provider}:{cfg.model or 'standaard'}"


class QuotingChatModel(BaseChatModel):
    """A deterministic stand-in model (provider "fake"): it answers with the first
    sentence of the first source and cites that source's key. Useful to demo and test
    the LLM path end to end without a model server."""

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        prompt = str(messages[-1].content)
        match = re.search(r"^\[([0-9a-f]{8})\][^\n]*\n(.+?)(?:[.!?](?:\s|$))", prompt, re.M | re.S)
        text = f"{match.group(2).strip()}. [{match.group(1)}]" if match else ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    @property
    def _llm_type(self) -> str:
        return "quoting-fake"
