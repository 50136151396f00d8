"""Process entry of the web app, designed for a fast start and a fast first answer.

The assistant warms up (embedding model, index, word lists, one full answer) in a
background thread while Gradio is imported (~6 s); the server starts serving once
both are done, so the first question is answered as fast as any other.
"""

from __future__ import annotations

import threading


def main() -> None:
    from assistant.services import quiet_libraries
    from assistant.settings import SettingsError, load_settings

    quiet_libraries()
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise SystemExit(f"Fout: {exc}") from None
    from assistant.answer.assistant import Assistant

    assistant = Assistant(settings)
    notice = getattr(assistant.retriever.embeddings, "notice", None)
    if notice:
        print(notice, flush=True)
    # Warm up while gradio is imported: the two overlap, and serving starts warm.
    warm = threading.Thread(target=_warm, args=(assistant,), daemon=True, name="warm-up")
    warm.start()
    from assistant.ui.app import build_app, launch

    app = build_app(assistant)
    warm.join(timeout=settings.ui.warm_up_timeout_s)
    if not settings.ui.admin_password and settings.ui.host != "127.0.0.1":
        print("Geen ALLIANTIEWIJZER_UI__ADMIN_PASSWORD: de app luistert alleen op 127.0.0.1.")
    print(f"STEM-Alliantiewijzer op http://127.0.0.1:{settings.port}", flush=True)
    launch(app, settings)


def _warm(assistant) -> None:
    try:
        assistant.warm_up()
    except Exception as exc:  # shown to the user on their first question instead
        print(f"Opwarmen mislukt: {exc}", flush=True)
