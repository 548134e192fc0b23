"""The box of a secret ballot: each choice sealed as it is cast, the box shaken at every vote, opened at the close.

No one who reads the database, a backup or a copy of its WAL may learn how a named member voted, while the vote
is open or after it. What is written keeps the link out:

- A choice is sealed (AES-256-GCM, a fresh random nonce each time) with a key derived from ``SECRET_KEY``,
  which is never in the database, before anything reaches the database. While the vote is open the
  database, its WAL, its deleted row versions and every backup hold only sealed ballots, all of one length:
  copies taken before and after a member voted show that they voted (the council sees that anyway), never how.
- At every vote the whole box is written again: all its ballots under fresh random ids, in a random order, in a
  subtransaction of their own. No id, order, place in a page or transaction id of a ballot follows the order
  of voting: on PostgreSQL the ballots of a box share one xmin, which is no "has voted" row's.
- At the close the box is opened and counted, which succeeds only when it holds exactly one ballot sealed for
  this nomination per member recorded as having voted. It is replaced by the bare choices, again under fresh
  ids and in a random order, so nothing of the sealed box carries over into the counted one. After the commit
  SQLite's WAL is checkpointed and cut to nothing; ``secure_delete`` (database.py) has zeroed what was deleted.

Someone holding ``SECRET_KEY`` as well as the database at more than one moment of the vote (or its history: a
WAL archive, raw pages not yet reused) can follow the count as it grows; the README says so.
"""
from __future__ import annotations

import logging
import secrets

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from registry.extensions import db
from registry.workflow.actions import WorkflowError
from registry.workflow.models import Ballot, VoteChoice, new_ballot_id

log = logging.getLogger(__name__)

# One byte per choice, so that every sealed ballot has the same length whatever it says.
_CODES = {VoteChoice.AGREE: b"a", VoteChoice.DISAGREE: b"d", VoteChoice.ABSTAIN: b"x"}
_CHOICES = {code: choice for choice, code in _CODES.items()}
_NONCE = 12
_table = Ballot.__table__
_SCRUB = "ballot_box_scrub"


def _key(secret: str | bytes) -> AESGCM:
    material = secret.encode() if isinstance(secret, str) else secret
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"registry: secret ballot seal v1").derive(material))


def _bound_to(nomination_id: int) -> bytes:
    # A sealed ballot opens only in the box of the nomination it was cast on.
    return f"nomination:{nomination_id}".encode()


def seal(choice: VoteChoice, *, nomination_id: int) -> str:
    """Seal a choice for one nomination's box with the server's key."""
    nonce = secrets.token_bytes(_NONCE)
    return (nonce + _key(current_app.secret_key).encrypt(nonce, _CODES[choice], _bound_to(nomination_id))).hex()


def unseal(sealed: str, *, nomination_id: int) -> VoteChoice:
    """Open a sealed ballot with SECRET_KEY or one of SECRET_KEY_FALLBACKS; refuse one sealed elsewhere."""
    raw = bytes.fromhex(sealed)
    for secret in [current_app.secret_key, *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]:
        try:
            code = _key(secret).decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(nomination_id))
        except InvalidTag:
            continue
        return _CHOICES[code]
    raise WorkflowError(_l("A sealed ballot cannot be opened: it was sealed for another nomination or under "
                           "another secret key (was SECRET_KEY changed during the vote? Keep the old key in "
                           "SECRET_KEY_FALLBACKS until the vote is closed). Nothing was counted."))


def _rewrite(nomination_id: int, rows: list[dict]) -> None:
    """Write the box's ballots again under fresh random ids, in a random order."""
    db.session.execute(sa.delete(_table).where(_table.c.nomination_id == nomination_id))
    rows = [{**row, "id": new_ballot_id(), "nomination_id": nomination_id} for row in rows]
    secrets.SystemRandom().shuffle(rows)
    if rows:
        db.session.execute(sa.insert(_table), rows)


def _contents(nomination_id: int) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(
        sa.select(_table.c.choice, _table.c.sealed, _table.c.voter_id).where(_table.c.nomination_id == nomination_id))]


def box_drop(nomination_id: int, choice: VoteChoice) -> None:
    """Seal a choice and put it into the box, shaking the whole box (call after the vote is recorded)."""
    sealed = {"choice": None, "sealed": seal(choice, nomination_id=nomination_id), "voter_id": None}
    # A subtransaction of its own: on PostgreSQL the box gets a transaction id the "has voted" row does not share.
    with db.session.begin_nested():
        _rewrite(nomination_id, [*_contents(nomination_id), sealed])


def box_count(nomination_id: int, *, secret: bool) -> None:
    """Open the box and put the bare choices in its place (the caller has checked it holds one ballot per voter).

    A secret ballot's box keeps no name at all, even of a ballot cast before an administrator made the round's
    ballot secret; a ballot sealed before the round was made open stays nameless. Ballots cast before ballots
    were sealed (a database upgraded during a vote) are counted as they are.
    """
    rows = _contents(nomination_id)
    if not secret and all(row["sealed"] is None for row in rows):
        return
    _rewrite(nomination_id, [
        {"choice": row["choice"] if row["sealed"] is None else unseal(row["sealed"], nomination_id=nomination_id),
         "sealed": None, "voter_id": None if secret else row["voter_id"]}
        for row in rows])
    db.session.info[_SCRUB] = True


def scrub() -> None:
    """Let no earlier page of a box outlive its close: checkpoint SQLite's WAL into the database and truncate it.

    PostgreSQL keeps earlier row versions until VACUUM and in its own WAL; there they hold sealed ballots only.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            busy, _frames, _copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except sa.exc.OperationalError:
        busy = True  # the close is committed all the same; only the scrub waits
    if busy:
        log.warning("The WAL could not be truncated after a secret vote closed (a reader or writer held it); "
                    "the next checkpoint will overwrite it.")


def _after_commit(session: Session) -> None:
    # A savepoint released (another vote's box shaken before the close is committed) commits nothing to the
    # database: the scrub waits for the commit of the whole transaction, which alone can truncate the WAL.
    if session.in_nested_transaction():
        return
    if session.info.pop(_SCRUB, False):
        scrub()


def _after_rollback(session: Session) -> None:
    session.info.pop(_SCRUB, None)


# Scrub the engine's leftovers after every commit that closed a secret vote (installed by platform.database).
SESSION_HOOKS = (("after_commit", _after_commit), ("after_rollback", _after_rollback))
