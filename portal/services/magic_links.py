"""Magic links: random single-use tokens whose hash is stored with an expiry.

Every kind of link the portal emails is here: its purpose, how long it lives (one lifetime per
purpose, whoever issues it; README's table of links lists them) and the URL it opens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from portal.domain.clock import Clock
from portal.domain.retention import UNCONFIRMED_FOR
from portal.persistence.tokens import NewToken, StoredToken, TokenRepository


class Purpose(StrEnum):
    """What a link lets its holder do; a token is checked against the purpose it was made for."""

    CONFIRM = "confirm"  # confirms a sign-up's answers: /confirm/<token>
    ME = "me"  # signs a participant in to their own page: /me/<token>
    # Signs an organizer in: /organize/<token>. For one program's drafts (a match summary's
    # link), or for the console when its program is "*" (the sign-in form's link).
    ORGANIZE = "organize"
    CHOOSE = "choose"  # a mentee picks a suggestion: /choose/<round>/<token>/<n>, "choose:<round>"
    CHECKIN = "checkin"  # opens a match's check-in form: /checkin/<token>
    RATE = "rate"  # records a quick rating of a match: /rate/<token>/<score>


# How long a link of each purpose lives. Links that reminders carry, and every /me link, last
# two weeks: the ladder's next step is a week away. The others follow the setting
# PORTAL_TOKEN_TTL_HOURS (48 hours unless set); a confirmation never outlives the pending
# sign-up it confirms (SIGNUP_KEPT_FOR).
TWO_WEEKS = timedelta(days=14)
SIGNUP_KEPT_FOR = UNCONFIRMED_FOR  # the retention run deletes them then (domain/retention.py)
FIXED_LIFETIMES = {
    Purpose.ME: TWO_WEEKS,
    Purpose.CHECKIN: TWO_WEEKS,
    Purpose.RATE: TWO_WEEKS,
}


def lifetimes(setting: timedelta) -> dict[Purpose, timedelta]:
    """Each purpose's lifetime, given the PORTAL_TOKEN_TTL_HOURS setting."""
    return {
        Purpose.CONFIRM: min(setting, SIGNUP_KEPT_FOR),
        Purpose.ORGANIZE: setting,
        Purpose.CHOOSE: setting,
        **FIXED_LIFETIMES,
    }


def purpose_of(purpose: str) -> Purpose:
    """The purpose of a stored purpose string ("choose:<round>" is a CHOOSE link)."""
    return Purpose(purpose.partition(":")[0])


# The scope of a /me link that opens the person's group page rather than their own page.
GROUP_PAGE = "group"
# The scope of an organizer's link that opens the program at a glance (the daily digest's),
# instead of the program's draft pairs (the round summary's).
GLANCE = "glance"


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class MagicLinkError(Exception):
    def __init__(self, problem: LinkProblem, grant: LinkGrant | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.grant = grant  # whose the link was, when it exists but was used or expired


@dataclass(frozen=True)
class LinkGrant:
    """What an accepted link lets its holder do."""

    purpose: str
    program: str
    subject: str
    scope: str = ""  # what within the program the link is about, e.g. a match id
    # What the link was sent for, stored with it (a sign-up's answers).
    payload: dict[str, Any] | None = field(default=None, compare=False, hash=False)


def token_hash(token: str) -> str:
    """The key a token is stored under."""
    # 256 random bits need no salt or slow hash; the table never holds the token itself.
    return hashlib.sha256(token.encode()).hexdigest()


class MagicLinks:
    def __init__(
        self, tokens: TokenRepository, clock: Clock, ttl: timedelta, base_url: str = ""
    ) -> None:
        self.tokens = tokens
        self.clock = clock
        self.lifetimes = lifetimes(ttl)
        self.base_url = base_url

    def lifetime(self, purpose: str) -> timedelta:
        """How long a link of this purpose works."""
        return self.lifetimes[purpose_of(purpose)]

    # -- the URLs emails carry ------------------------------------------------------------

    def me_url(self, program: str, email: str) -> str:
        """A new link to the participant's own page."""
        return f"{self.base_url}/me/{self.issue(Purpose.ME, program, email)}"

    def group_url(self, program: str, email: str) -> str:
        """A new link that signs the participant in and opens their group's page (a /me link
        whose scope says where it leads)."""
        return f"{self.base_url}/me/{self.issue(Purpose.ME, program, email, scope=GROUP_PAGE)}"

    def organize_url(self, program: str, organizer: str, *, scope: str = "") -> str:
        """A new link that signs an organizer in to the program's pages: to review its draft
        pairs, or with scope GLANCE to the program at a glance."""
        token = self.issue(Purpose.ORGANIZE, program, organizer, scope=scope)
        return f"{self.base_url}/organize/{token}"

    def choose_urls(self, program: str, round_id: str, mentee: str, options: int) -> list[str]:
        """One URL per suggestion, 1 to `options`, sharing one single-use token."""
        token = self.issue(f"{Purpose.CHOOSE}:{round_id}", program, mentee)
        return [f"{self.base_url}/choose/{round_id}/{token}/{n}" for n in range(1, options + 1)]

    def checkin_url(self, program: str, email: str, scope: str) -> str:
        """A new link that signs the person in and opens a match's check-in form."""
        token = self.issue(Purpose.CHECKIN, program, email, scope=scope)
        return f"{self.base_url}/checkin/{token}"

    def rate_urls(
        self, program: str, email: str, match_id: str, scores: tuple[int, ...]
    ) -> list[tuple[int, str]]:
        """One URL per rating, sharing one single-use token bound to this person and match."""
        token = self.issue(Purpose.RATE, program, email, scope=match_id)
        return [(score, f"{self.base_url}/rate/{token}/{score}") for score in scores]

    def confirm_url(self, token: str) -> str:
        """The URL of a confirmation token made by `prepare`."""
        return f"{self.base_url}/confirm/{token}"

    def organize_url_of(self, token: str) -> str:
        """The URL of an organize token made by `prepare`."""
        return f"{self.base_url}/organize/{token}"

    def page_url_of(self, token: str) -> str:
        """The URL of a /me token made by `prepare`."""
        return f"{self.base_url}/me/{token}"

    # -- tokens ---------------------------------------------------------------------------

    def issue(self, purpose: str, program: str, subject: str, *, scope: str = "") -> str:
        """A new token for `subject`, for its purpose's lifetime; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.tokens.add(
            token_hash(token),
            purpose=purpose,
            program=program,
            subject=subject,
            now=now,
            expires_at=now + self.lifetime(purpose),
            scope=scope,
        )
        return token

    def prepare(
        self,
        purpose: str,
        program: str,
        subject: str,
        *,
        payload: dict[str, Any] | None = None,
    ) -> tuple[str, NewToken]:
        """A new token and what to store for it, for a caller that stores it with other writes."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        return token, NewToken(
            token_hash(token),
            purpose,
            program,
            subject,
            created_at=now,
            expires_at=now + self.lifetime(purpose),
            payload=payload,
        )

    def check(self, token: str, purpose: str) -> LinkGrant:
        """What the token would grant, without using it up (for GET)."""
        stored = self.tokens.get(token_hash(token)) if _plausible(token) else None
        if stored is None or stored.purpose != purpose:
            raise MagicLinkError(LinkProblem.UNKNOWN)
        if stored.used_at is not None:
            raise MagicLinkError(LinkProblem.USED, _grant(stored))
        if stored.expires_at <= self.clock():
            raise MagicLinkError(LinkProblem.EXPIRED, _grant(stored))
        return _grant(stored)

    def consume(self, token: str, purpose: str) -> LinkGrant:
        """Use the token up (for POST); exactly one caller succeeds."""
        if not _plausible(token):
            raise MagicLinkError(LinkProblem.UNKNOWN)
        key = token_hash(token)
        if self.tokens.mark_used(key, purpose, self.clock()):
            stored = self.tokens.get(key)
            assert stored is not None
            return _grant(stored)
        # Say why, from a second read; the conditional update already decided.
        self.check(token, purpose)  # raises with the reason and whose the link was
        raise MagicLinkError(LinkProblem.USED)


def _grant(stored: StoredToken) -> LinkGrant:
    return LinkGrant(
        purpose=stored.purpose,
        program=stored.program,
        subject=stored.subject,
        scope=stored.scope,
        payload=stored.payload,
    )


def _plausible(token: str) -> bool:
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)
