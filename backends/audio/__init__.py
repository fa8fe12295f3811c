"""Audio: speech for each voice call (offline espeak-ng or OpenAI TTS), mixed
mono or stereo, with timelines that downstream speech analytics ingest."""
