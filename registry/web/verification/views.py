"""Anyone verifies an award by its code: valid or revoked, who, which title, which decision."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from registry.extensions import limiter
from registry.web.verification.forms import VerifyForm
from registry.workflow.verification import award_by_code, award_qr_svg, decision_records, format_code

bp = Blueprint("verification", __name__, url_prefix="/verify")


def _guess_missed(response: Response) -> bool:
    # Only wrong codes count against an address: checking real certificates is never slowed down.
    return response.status_code == 404


@bp.get("")
def start():
    """The form to type a code; a typed code goes to its own page."""
    form = VerifyForm(request.args)
    if request.args.get("code") is not None and form.validate():
        return redirect(url_for("verification.show", code=form.code.data.strip()))
    return render_template("verification/start.html", form=form)


@bp.get("/<code>")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], deduct_when=_guess_missed)
def show(code: str):
    """Valid or revoked, who, which title, which decision; a made-up code is told so plainly (404)."""
    award = award_by_code(code)
    if award is None:
        return render_template("verification/unknown.html", form=VerifyForm(data={"code": code}), code=code), 404
    canonical = format_code(award.verification_code)
    if code != canonical:
        return redirect(url_for("verification.show", code=canonical), 301)
    record = decision_records([award])[award.id]
    return render_template("verification/show.html", award=award, record=record)


@bp.get("/<code>/qr.svg")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], deduct_when=_guess_missed)
def qr(code: str):
    """The QR code of the verification address, as SVG (for the page and for printing)."""
    award = award_by_code(code)
    if award is None:
        return Response("Not found", status=404, mimetype="text/plain")
    return Response(award_qr_svg(award, scale=6), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})
