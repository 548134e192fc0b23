"""Forms of the administration pages."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from registry.catalog.models import AdminLevel, AwardLevel, TitleCategory, UnitKind
from registry.catalog.unit_picker import UNIT_HINT, UnitField
from registry.entries.models import AwardKind
from registry.workflow.models import BallotKind, Denominator


class CouncilsField(SelectMultipleField):
    """Check boxes, one per council: a person may hold a role in several councils."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=160)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=160)])
    unit = UnitField(_l("Own unit"), validators=[Optional()],
                     description=_l("Where the person works; a council member has a conflict of interest on "
                                    "nominations from this unit and the units below it. Type the name, with or "
                                    "without diacritics, and choose from the list."))
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)],
                             description=_l("At least 10 characters. Leave empty to keep the current password."))
    active = BooleanField(_l("Active (may sign in)"), default=True)
    administrator = BooleanField(_l("Administrator"))
    officer_units = TextAreaField(
        _l("Unit officer for"), validators=[Optional()],
        description=_l("One unit per line, as the unit field shows it (“Phường Ba Đình — Thành phố Hà Nội”); the "
                       "officer nominates for these units and the units below them."))
    secretary_of = CouncilsField(_l("Secretary of the councils"), coerce=int, validators=[Optional()])
    member_of = CouncilsField(_l("Member of the councils"), coerce=int, validators=[Optional()])
    chair_of = CouncilsField(_l("Chair of the councils"), coerce=int, validators=[Optional()])


class CouncilForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    unit = UnitField(_l("Unit the council advises"), validators=[DataRequired()], description=UNIT_HINT)


class RoundForm(FlaskForm):
    name = StringField(_l("Name of the round"), validators=[DataRequired(), Length(max=255)])
    title_id = SelectField(_l("Award title"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Level"), choices=AwardLevel.choices, validators=[DataRequired()])
    award_kind = SelectField(_l("Kind of award"), choices=AwardKind.choices, validators=[DataRequired()])
    council_id = SelectField(_l("Council"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(1945, 2100)])
    opens_on = DateField(_l("Nominations open on"), validators=[InputRequired()])
    closes_on = DateField(_l("Nominations close on"), validators=[InputRequired()])
    ballot = SelectField(_l("Ballot"), choices=BallotKind.choices)
    threshold_percent = DecimalField(_l("Threshold (percentage of agree votes)"), places=2,
                                     validators=[InputRequired(), NumberRange(Decimal("0.01"), Decimal("100"))])
    threshold_exclusive = BooleanField(_l("More than the threshold is needed (not merely reaching it)"),
                                       description=_l("Exactly reaching the threshold then does not pass (“trên”, not “từ … trở lên”)."))
    denominator = SelectField(_l("Threshold counted against"), choices=Denominator.choices)
    recused_leave_denominator = BooleanField(
        _l("Members recused for a conflict of interest leave the “all members” count"),
        description=_l("Off by default: all members of the council count, recused ones included."))
    quorum_percent = DecimalField(_l("Quorum (percentage of members taking part)"), places=2,
                                  validators=[InputRequired(), NumberRange(Decimal("0"), Decimal("100"))])
    written_votes_allowed = BooleanField(_l("Absent members may vote in writing"))
    consultation_days = IntegerField(_l("Public consultation (working days, 0 for none)"),
                                     validators=[InputRequired(), NumberRange(0, 60)])
    processing_days = IntegerField(_l("Processing target (working days)"),
                                   validators=[InputRequired(), NumberRange(1, 120)])
    certificate_required = BooleanField(_l("An initiative certificate is required"))
    prerequisite_title_id = SelectField(_l("Prerequisite title"), coerce=int, validators=[Optional()])
    prerequisite_years = IntegerField(_l("Consecutive years of the prerequisite title"), default=0,
                                      validators=[InputRequired(), NumberRange(0, 10)])

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(str(_l("The closing date is before the opening date.")))


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=160)])


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=80)])
    parent = UnitField(_l("Parent unit"), validators=[Optional()], allow_former=True,
                       description=_l("Empty for a province. Type the name, with or without diacritics, and choose "
                                      "from the list."))
    kind = SelectField(_l("Kind"), choices=UnitKind.choices)
    level = SelectField(_l("Level"), choices=lambda: [SelectChoice("", "—"), *AdminLevel.choices()],
                        validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_to = DateField(_l("Valid until"), validators=[Optional()],
                         description=_l("For a unit that was merged or dissolved, e.g. the districts before 1 July 2025."))
    successor = UnitField(_l("Merged into"), validators=[Optional()], allow_former=True, description=UNIT_HINT)

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(str(_l("The end date is before the start date.")))


class UnitMergeForm(FlaskForm):
    into = UnitField(_l("Merge into"), validators=[DataRequired()], description=UNIT_HINT)
    on = DateField(_l("Date of the merger"), validators=[InputRequired()],
                   description=_l("The last day the merged unit existed."))
    confirm = BooleanField(_l("I have checked: the entries, users, nominations and sub-units of this unit move to "
                              "the unit it is merged into."), validators=[DataRequired()])


class TitleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), choices=TitleCategory.choices)
    applies_to = SelectMultipleField(_l("Given to"), choices=[
        SelectChoice("individual", _l("Individual")), SelectChoice("collective", _l("Collective")),
        SelectChoice("initiative", _l("Model initiative")), SelectChoice("household", _l("Household")),
    ], validators=[Optional()])
    default_level = SelectField(_l("Usual level"), choices=lambda: [SelectChoice("", "—"), *AwardLevel.choices()],
                                validators=[Optional()])
    issuing_office = StringField(_l("Issuing office"), validators=[Optional(), Length(max=200)])
    prerequisites = TextAreaField(_l("Prerequisites"), validators=[Optional(), Length(max=5000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional(), Length(max=5000)])
    valid_years = IntegerField(_l("Valid for (years)"), validators=[Optional(), NumberRange(1, 100)])
