"""Email addresses: kept as the person typed them, compared and sent in forms derived from that.

One library reads an address everywhere: email-validator, which follows IDNA2008 with the
UTS #46 mapping. Python's own "idna" codec is IDNA2003, which turns `straße.de` into
`strasse.de` and final sigma `ς` into a plain sigma: another domain, with another owner.

- `typed`: what the person typed, with the domain only normalised as DNS would look it up
  (lower case, UTS #46); `max@straße.de` stays `max@straße.de`. Shown and written to.
- `email_key`: how two addresses are compared, and the key records are stored under: the
  local part in lower case (the portal has always compared addresses without regard to
  case) and the domain in its ASCII form (`max@xn--strae-oqa.de`). One address written in
  Unicode or in ASCII, in upper or lower case, gives one key.
- `ascii_address`: the address on the wire (SES and the To header know no SMTPUTF8), the
  local part as typed and the domain in its ASCII form.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


class AddressError(ValueError):
    """Not an address mail can be sent to."""


@dataclass(frozen=True)
class _Parts:
    local: str
    domain: str  # IDNA2008 Unicode form, lower case
    ascii_domain: str  # the same domain, A-labels (xn--...)


def _parts(address: str) -> _Parts:
    # Imported here: the scheduled functions that never read a form skip its set-up time.
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(
            address.strip(),
            check_deliverability=False,
            allow_smtputf8=True,  # forms refuse SMTPUTF8 local parts; keys must still work
            test_environment=True,  # a key for any syntactically valid address, *.test too
        )
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None
    ascii_domain = valid.ascii_domain or valid.domain
    return _Parts(local=valid.local_part, domain=valid.domain, ascii_domain=ascii_domain)


def typed(address: str) -> str:
    """The address as typed, its domain normalised the way DNS looks it up (never changed)."""
    parts = _parts(address)
    return f"{parts.local}@{parts.domain}"


def email_key(address: str) -> str:
    """The form addresses are compared and stored in: lower-case local part, ASCII domain.

    Text that is no address at all keeps its old key, lower case, so a lookup finds nothing
    rather than failing.
    """
    try:
        parts = _parts(address)
    except AddressError:
        return address.strip().lower()
    return f"{parts.local.lower()}@{parts.ascii_domain}"


def ascii_address(address: str) -> str:
    """The address for SMTP and SES: the local part as typed, the domain in A-labels."""
    parts = _parts(address)
    if not parts.local.isascii():
        raise AddressError("a local part with non-ASCII letters needs SMTPUTF8")
    return f"{parts.local}@{parts.ascii_domain}"


# Domain separation: a digest of an address made here is never equal to a hash made elsewhere.
_DIGEST_PREFIX = b"mentor-portal address v1\0"


def address_digest(address: str) -> str:
    """The key that stands for an address in tables and outbox keys: SHA-256 of its key form.

    Unkeyed, so that it survives a change of PORTAL_SECRET_KEY (a suppression must never be
    lost); docs/architecture.md says why that is enough here.
    """
    return hashlib.sha256(_DIGEST_PREFIX + email_key(address).encode()).hexdigest()
