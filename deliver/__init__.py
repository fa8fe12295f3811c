"""Delivery: `corpusc deliver vcp|sa` sends a built corpus to a webhook or the
speech-analytics upload, with a durable journal so nothing is lost or sent twice."""
