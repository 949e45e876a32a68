"""Dead letters: every input that cannot be processed becomes one DeadLetter record.

Stages emit them on the tagged output ``DEAD_LETTER_TAG`` so that nothing is
silently lost; the run manifest counts them.
"""
import datetime

DEAD_LETTER_TAG = 'deadletter'
MAX_PAYLOAD_BYTES = 64 * 1024


class Rejected(Exception):
    """Raised by pure stage code for input it refuses; carries a stable reason code."""

    def __init__(self, error, detail):
        super().__init__(f'{error}: {detail}')
        self.error = error
        self.detail = detail


def make_dead_letter(stage, error, detail, payload=None, source=None, received_at=None):
    """A DeadLetter dict (see schemas/DeadLetter.avsc). ``payload`` is truncated to 64 KiB."""
    if isinstance(payload, str):
        payload = payload.encode('utf-8', 'replace')
    if payload is not None:
        payload = bytes(payload[:MAX_PAYLOAD_BYTES])
    return {
        'stage': stage,
        'error': error,
        'detail': str(detail)[:2000],
        'payload': payload,
        'source': source,
        'received_at': received_at or datetime.datetime.now(datetime.timezone.utc),
    }
