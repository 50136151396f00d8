"""Process entry of the web app, designed for a fast start.

Gradio is imported and the page is served first; the embedding model (whose import
alone takes ~12 s on 2 cores) loads in a background thread, so the first question
waits for it only if it comes very early.
"""

from __future__ import annotations

import threading


def main() -> None:
    from ..cli import _quiet_libraries
    from ..settings import Settings

    _quiet_libraries()
    settings = Settings()
    from ..answering import Assistant

    assistant = Assistant(settings)
    # Start loading torch and the model before importing gradio: the two imports overlap.
    threading.Thread(target=_warm, args=(assistant,), daemon=True, name="warm-up").start()
    from .app import build_app, launch

    app = build_app(assistant)
    if not settings.ui.admin_password and settings.ui.host != "127.0.0.1":
        print("Geen ALLIANTIEWIJZER_UI__ADMIN_PASSWORD: de app luistert alleen op 127.0.0.1.")
    print(f"STEM-Alliantiewijzer op http://127.0.0.1:{settings.port}", flush=True)
    launch(app, settings)


def _warm(assistant) -> None:
    try:
        assistant.warm_up()
    except Exception as exc:  # shown to the user on their first question instead
        print(f"Opwarmen mislukt: {exc}", flush=True)
