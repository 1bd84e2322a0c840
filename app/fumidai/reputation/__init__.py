"""Reputation: trace tokens on accepted mail, complaint intake and strikes, the egress blocklist monitor.

- trace.py      the opaque per-account token of ``PREPEND X-Fumidai-Trace: <token>``
- reports.py    ARF / SpamCop-style / forwarded complaint parsing, and the readers
- strikes.py    complaints within a window → nothing, an alert, or a suspension (pure)
- blocklists.py the DNSBL monitor of the ISP's egress addresses
- commands.py   ``fumidai complaints import|keygen``
"""
