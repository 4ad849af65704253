"""Reaching people: what jikimi owes a subject, a recipient or the service, delivered.

Every notice starts as an outbox row written in the same transaction as the change that owes it
(``store.outbox``: ids, dates and codes, never a personal value). Delivery takes due rows, reads
the contact through the gate under the policy's notice purpose (logged like any read), renders the
Korean wording (``wording``: built-in templates the policy may reword) and sends it through a
channel (``channels``: SMTP e-mail, a signed webhook to the service's own sender, a letter queue).

    delivery.py    the worker: claim, read contact, render, send, mark; retries and dead letters
    channels.py    e-mail (SMTP), webhook (HMAC-signed), letter (a print-queue file)
    wording.py     the templates (``templates/<kind>.txt``) and the policy's own wording
    marketing.py   the advertising send gate (정보통신망법 50) and its reconfirmation notices
    incidents.py   breach response (PIPA 34): the 72-hour clock, the report, the notices
    complaints.py  complaints on the clock (business hours, Korean public holidays)
    changes.py     policy-change notices and postings; the yearly usage notice (PIPA 20-2)
"""
