"""Hand one message to the ISP's relay with smtplib, and say whether a failure is worth retrying.

Temporary: no connection, timeouts, TLS trouble, 4xx replies, and replies that say our
settings are wrong (530 TLS or AUTH required, 535 bad login): not a reason to drop the
owner's notice.
Permanent: a 5xx reply to the sender, the owner's address or the data.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass

from ..config import NoticesSection


# "Authentication required", "encryption required": our settings, not the notice, are wrong.
_OUR_CONFIG = {530, 535, 538}


@dataclass
class DeliveryError(Exception):
    temporary: bool
    text: str

    def __str__(self) -> str:
        return self.text


def _reply(code: int, msg: bytes | str) -> str:
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{code} {' '.join(text.split())}"


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    # One attempt with PLAIN when offered: smtplib.login() would retry every mechanism,
    # and three failed logins per notice can lock the account on the relay.
    if "plain" in client.esmtp_features.get("auth", "").lower().split():
        client.user, client.password = username, password
        client.auth("PLAIN", client.auth_plain)
    else:
        client.login(username, password)


def send(cfg: NoticesSection, envelope_from: str, to_address: str, bcc: list[str], data: bytes,
         tls_context: ssl.SSLContext | None = None) -> dict[str, str]:
    """Send; return the refused Bcc recipients (address -> reply). Raises DeliveryError."""
    where = f"{cfg.smtp_host}:{cfg.smtp_port}"
    # Loading the system CA store costs ~75 ms: only when TLS is used, and callers keep one.
    context = tls_context or (ssl.create_default_context() if cfg.security != "none" else None)
    try:
        if cfg.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout, context=context)
        else:
            client = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout)
        with client:
            client.ehlo_or_helo_if_needed()
            if cfg.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if cfg.username:
                _login(client, cfg.username, cfg.password)
            refused = client.sendmail(envelope_from, [to_address, *bcc], data)
    except smtplib.SMTPRecipientsRefused as err:
        code, msg = err.recipients.get(to_address, next(iter(err.recipients.values()), (550, b"refused")))
        raise DeliveryError(code < 500, f"{where} refused {to_address}: {_reply(code, msg)}") from None
    except smtplib.SMTPAuthenticationError as err:
        raise DeliveryError(True, f"{where} refused our login ([notices] username/password): "
                                  f"{_reply(err.smtp_code, err.smtp_error)}") from None
    except smtplib.SMTPNotSupportedError as err:
        raise DeliveryError(True, f"{where}: {err} (check [notices] security)") from None
    except smtplib.SMTPResponseException as err:  # sender refused, data refused, bad greeting
        if err.smtp_code in _OUR_CONFIG:
            raise DeliveryError(True, f"{where}: {_reply(err.smtp_code, err.smtp_error)} "
                                      "(check [notices] security, username and password)") from None
        raise DeliveryError(err.smtp_code < 500, f"{where}: {_reply(err.smtp_code, err.smtp_error)}") from None
    except (ssl.SSLError, ssl.CertificateError) as err:
        raise DeliveryError(True, f"{where}: TLS failed: {err}") from None
    except (socket.timeout, TimeoutError):
        raise DeliveryError(True, f"{where}: timed out after {cfg.timeout:g} s") from None
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryError(True, f"{where}: {err.__class__.__name__}: {err}") from None
    # A Bcc copy the relay refused does not make the owner's notice fail.
    return {addr: _reply(code, msg) for addr, (code, msg) in (refused or {}).items()}
