"""The access log (접속기록): ``log`` appends and verifies the hash-chained rows, ``report`` is the
monthly review the privacy officer signs."""
