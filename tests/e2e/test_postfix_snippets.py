"""The main.cf snippet appended to Debian's main.cf changes nothing global (checked with the real postconf)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import SNIPPETS

pytestmark = pytest.mark.e2e

DEBIAN_MAIN_CF = Path("/usr/share/postfix/main.cf.debian")
# What Debian 12's postinst adds to main.cf.debian for an "Internet Site" (dpkg-reconfigure postfix).
DEBIAN_INTERNET_SITE = """
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may
smtp_tls_CApath=/etc/ssl/certs
smtp_tls_security_level=may
smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mx.example.jp
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = /etc/mailname
mydestination = $myhostname, localhost.example.jp, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
"""
# Another policy service's global settings (e.g. for postgrey or policyd-spf on port 25).
OTHER_POLICY_SETTINGS = "smtpd_policy_service_timeout = 100s\nsmtpd_policy_service_request_limit = 1\n"


def _postconf(config_dir: Path, *args: str) -> subprocess.CompletedProcess:
    postconf = shutil.which("postconf", path="/usr/sbin:/usr/bin:/sbin")
    if postconf is None:
        pytest.skip("postconf not installed (apt-get install postfix)")
    return subprocess.run([postconf, "-c", str(config_dir), *args], capture_output=True, text=True, timeout=60)


def _config(tmp_path: Path, name: str, main_cf: str, master_cf_snippet: bool = False) -> Path:
    if not DEBIAN_MAIN_CF.exists():
        pytest.skip(f"{DEBIAN_MAIN_CF} missing: not Debian's postfix package")
    config_dir = tmp_path / name
    shutil.copytree("/etc/postfix", config_dir, symlinks=True)  # master.cf, dynamicmaps.cf as installed
    (config_dir / "main.cf").write_text(main_cf)
    if master_cf_snippet:  # Debian's master.cf has its submission entry commented out: add ours
        with open(config_dir / "master.cf", "a") as master_cf:
            master_cf.write((SNIPPETS / "master.cf.snippet").read_text())
    return config_dir


def _parameters(config_dir: Path) -> dict[str, str]:
    r = _postconf(config_dir)  # every parameter, defaults included
    assert r.returncode == 0 and not r.stderr, r.stderr
    return dict(line.split(" = ", 1) if " = " in line else (line.rstrip(" ="), "") for line in r.stdout.splitlines())


@pytest.mark.parametrize("existing", ["", OTHER_POLICY_SETTINGS], ids=["debian-default", "with-another-policy-service"])
def test_snippet_appended_to_debian_main_cf_changes_nothing_global(tmp_path, existing):
    before = DEBIAN_MAIN_CF.read_text() + DEBIAN_INTERNET_SITE + existing
    snippet = (SNIPPETS / "main.cf.snippet").read_text()
    plain = _config(tmp_path, "before", before)
    appended = _config(tmp_path, "after", before + "\n" + snippet, master_cf_snippet=True)

    r = _postconf(appended, "-n")
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr  # e.g. "overriding earlier entry", "unused parameter"

    old, new = _parameters(plain), _parameters(appended)
    per_run = {"config_directory", "process_id"}  # differ between any two postconf runs
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)} - per_run
    assert changed <= {"fumidai_policy", "fumidai_recipient_restrictions", "fumidai_data_restrictions"}, changed
    for name in ("smtpd_policy_service_timeout", "smtpd_policy_service_request_limit", "smtpd_policy_service_max_idle"):
        assert new[name] == old[name]

    policy = _postconf(appended, "-h", "fumidai_policy").stdout
    for setting in ("inet:127.0.0.1:10040", "default_action=DUNNO", "timeout=10s", "max_idle=300s", "max_ttl=1000s",
                    "request_limit=0", "try_limit=2", "retry_delay=1s", "policy_context=submission"):
        assert setting in policy, policy


def test_old_global_snippet_would_have_warned(tmp_path):
    """The check above can fail: global settings after another service's do warn."""
    before = DEBIAN_MAIN_CF.read_text() + DEBIAN_INTERNET_SITE + OTHER_POLICY_SETTINGS
    appended = _config(tmp_path, "old", before + "smtpd_policy_service_request_limit = 0\n")
    r = _postconf(appended, "-n")
    assert "overriding earlier entry" in r.stderr
