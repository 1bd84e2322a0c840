"""Reputation: trace tokens on accepted mail, complaint intake and strikes, the egress blocklist monitor.

- trace.py      the opaque per-account token of ``PREPEND X-Fumidai-Trace: <token>``
- reports.py    ARF / SpamCop-style / forwarded complaint parsing (one report in, one outcome out)
- report_text.py    its defensive readers of hostile header values and bodies
- report_sources.py where reports come from: a file, a maildir, an mbox, standard input
- strikes.py    complaints within a window → nothing, an alert, or a suspension (pure)
- blocklists.py the DNSBL monitor of the ISP's egress addresses
- commands.py   ``fumidai complaints import|keygen``
"""
