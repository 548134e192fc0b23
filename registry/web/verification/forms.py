"""The form to type a verification code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    # A GET form: a code is nothing secret to protect, and its answer may be bookmarked.
    class Meta:
        csrf = False

    code = StringField(_l("Verification code"), validators=[DataRequired(_l("Type the code printed on the certificate.")),
                                                            Length(max=40)],
                       description=_l("Ten letters and digits, as printed on the certificate (e.g. ABCDE-FGHJK)."))
