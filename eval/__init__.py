"""Evaluations of wirewatch against labelled data (``wirewatch eval ...``).

``events``: coded events against leads labelled by hand (labels/*.jsonl: pointers into
the shared corpus, no corpus text) and against the PLOVER gold-standard sentences.
"""
