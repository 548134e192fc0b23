"""Forms of the public consultation pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class CommentForm(FlaskForm):
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=160)])
    contact = StringField(_l("Phone or e-mail (optional)"), validators=[Optional(), Length(max=200)],
                          description=_l("Only the council sees it, to ask you more if needed."))
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=5000)])
    # A field people do not see; robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
