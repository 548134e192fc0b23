"""Forms of the council's pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from registry.catalog.unit_picker import UNIT_HINT, UnitField
from registry.workflow.models import NumberingStyle, VoteChoice


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SessionForm(FlaskForm):
    held_on = DateField(_l("Date of the session"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=255)])


class AttendanceForm(FlaskForm):
    present = CheckboxesField(_l("Members present"), coerce=int, validators=[Optional()])


class AgendaForm(FlaskForm):
    nominations = CheckboxesField(_l("Nominations to put on the agenda"), coerce=int, validators=[Optional()])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Review note"), validators=[DataRequired(), Length(max=10000)])


class ConflictForm(FlaskForm):
    reason = TextAreaField(_l("Why you have a conflict of interest"), validators=[Optional(), Length(max=2000)])


class ConflictDecisionForm(FlaskForm):
    member = HiddenField(validators=[DataRequired()])
    recuse = RadioField(_l("Decision"), choices=[SelectChoice("yes", _l("Recuse the member from this vote")),
                                                 SelectChoice("no", _l("No conflict: the member votes"))],
                        validators=[DataRequired(_l("Choose whether the member is recused."))])
    note = StringField(_l("Note for the record"), validators=[Optional(), Length(max=500)])


class VoteForm(FlaskForm):
    # Optional: the note typed beside the ballot goes with it (or alone, with "save the note only").
    choice = RadioField(_l("Your vote"), choices=VoteChoice.choices, validators=[Optional()])
    note = TextAreaField(_l("Review note (optional)"), validators=[Optional(), Length(max=10000)])
    note_only = BooleanField()


class WrittenVoteForm(FlaskForm):
    member = SelectField(_l("Member voting in writing"), coerce=int, validators=[DataRequired()])
    choice = RadioField(_l("Their written vote"), choices=VoteChoice.choices, validators=[DataRequired()])


class DecisionForm(FlaskForm):
    nominations = CheckboxesField(_l("Nominations the decision confers the award on"), coerce=int,
                                  validators=[DataRequired(_l("Choose at least one nomination."))])
    issuer = UnitField(_l("Issuing unit"), validators=[DataRequired()], description=UNIT_HINT)
    style = RadioField(_l("Numbering"), choices=NumberingStyle.choices, default="state", validators=[DataRequired()])
    term = StringField(_l("Term (party style only)"), validators=[Optional(), Length(max=40)],
                       description=_l("e.g. 2020-2025"))
    number = IntegerField(_l("Number"), validators=[InputRequired(), NumberRange(1, 10_000_000)])
    symbol = StringField(_l("Symbol"), validators=[DataRequired(), Length(max=40)],
                         description=_l("QĐ-UBND for a state decision, QĐ/QU for a party one."))
    signed_on = DateField(_l("Date signed"), validators=[InputRequired()])
    signer = StringField(_l("Signer"), validators=[DataRequired(), Length(max=160)])
    signer_position = StringField(_l("Signer's position"), validators=[DataRequired(), Length(max=160)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=5000)])
    scan = FileField(_l("Scanned decision (PDF or image)"))


class RegisterForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(1945, 2100)])
    last_number = IntegerField(_l("Last number given in the register"),
                               validators=[InputRequired(), NumberRange(0, 10_000_000)],
                               description=_l("All decisions of the issuer count, those signed outside the council too."))


class RevokeForm(FlaskForm):
    decision = StringField(_l("Revoking decision (number and symbol)"), validators=[DataRequired(), Length(max=80)])
    revoked_on = DateField(_l("Date of the revoking decision"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)],
                           description=_l("Shown on the public page."))


class EmptyForm(FlaskForm):
    """A button: only the CSRF token."""
