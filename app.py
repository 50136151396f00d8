"""Start the STEM-Alliantiewijzer web app: `python app.py` (port: ALLIANTIEWIJZER_PORT)."""

from assistant.ui.serve import main

if __name__ == "__main__":
    main()
