"""Edit one account's own limits: quota, abroad cap, per-country caps, home countries, expiry.

The body follows PUT /accounts/{a}/limits (docs/api.md): only what is given replaces the
defaults. An account key left empty keeps the default; "unlimited" sends null (no limit).
A country row replaces that country's whole cap (an empty cell there means no limit on
that key; a row with every cell empty removes the country's default cap).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...geo.countries import country_name, is_country_code
from ..clock import server_now
from .countries import CountryPicker, ui_language

# The desk talks HTTP only, so it cannot import policy.limits.QUOTA_KEYS: keep in step with it.
QUOTA_KEYS = (
    "messages_per_hour",
    "messages_per_day",
    "recipients_per_hour",
    "recipients_per_day",
    "recipients_per_message",
    "unique_recipients_per_day",
)
# Marked for lupdate; shown through key_label() in the reader's language.
KEY_LABELS = {
    "messages_per_hour": QT_TRANSLATE_NOOP("QuotaDialog", "Messages per hour"),
    "messages_per_day": QT_TRANSLATE_NOOP("QuotaDialog", "Messages per day"),
    "recipients_per_hour": QT_TRANSLATE_NOOP("QuotaDialog", "Recipients per hour"),
    "recipients_per_day": QT_TRANSLATE_NOOP("QuotaDialog", "Recipients per day"),
    "recipients_per_message": QT_TRANSLATE_NOOP("QuotaDialog", "Recipients per message"),
    "unique_recipients_per_day": QT_TRANSLATE_NOOP("QuotaDialog", "Unique recipients per day"),
}
PRESET_NAMES = (QT_TRANSLATE_NOOP("QuotaDialog", "Standard"), QT_TRANSLATE_NOOP("QuotaDialog", "Strict"),
                QT_TRANSLATE_NOOP("QuotaDialog", "Traveller"), QT_TRANSLATE_NOOP("QuotaDialog", "Bulk sender"))
# Starting points modelled on Microsoft's EOP outbound presets, scaled to one consumer mailbox.
PRESETS: dict[str, dict[str, Any]] = {
    "Standard": {"limits": {"messages_per_hour": 100, "messages_per_day": 500, "recipients_per_hour": 300,
                            "recipients_per_day": 1500, "recipients_per_message": 100,
                            "unique_recipients_per_day": None}},
    "Strict": {"limits": {"messages_per_hour": 20, "messages_per_day": 100, "recipients_per_hour": 60,
                          "recipients_per_day": 300, "recipients_per_message": 20,
                          "unique_recipients_per_day": 100}},
    # A customer abroad for a while: normal quota, but the abroad cap lifted to the home level.
    "Traveller": {"limits": {"messages_per_hour": 100, "messages_per_day": 500, "recipients_per_hour": 300,
                             "recipients_per_day": 1500, "recipients_per_message": 100,
                             "unique_recipients_per_day": None},
                  "abroad": {"messages_per_hour": 100, "messages_per_day": 500}},
    "Bulk sender": {"limits": {"messages_per_hour": 1000, "messages_per_day": 5000, "recipients_per_hour": 5000,
                               "recipients_per_day": 20000, "recipients_per_message": 500,
                               "unique_recipients_per_day": None}},
}
_CODE_SPLIT = re.compile(r"[\s,;]+")


class _Inherit:
    """Marker: the field is empty, the default applies (the key is left out of the body)."""

    def __repr__(self) -> str:
        return "INHERIT"


INHERIT = _Inherit()


@dataclass(frozen=True)
class QuotaChange:
    """``body`` for PUT limits, or None to go back to the defaults (DELETE limits)."""

    body: dict | None
    reason: str


def parse_limit(text: str) -> int | None | _Inherit:
    """"" -> INHERIT, "unlimited" -> None, "120" -> 120; ValueError on anything else."""
    text = text.strip()
    if not text:
        return INHERIT
    if text.lower() in ("unlimited", "none", "無制限", "∞"):
        return None
    if not re.fullmatch(r"\+?\d+", text):
        raise ValueError("must be a whole number, 0 or more, or unlimited")
    return int(text)


# (smaller, larger): the first may never exceed the second.
CONSISTENT = (("messages_per_hour", "messages_per_day"), ("recipients_per_hour", "recipients_per_day"),
              ("recipients_per_message", "recipients_per_hour"))


def key_label(key: str) -> str:
    return QCoreApplication.translate("QuotaDialog", KEY_LABELS[key])


def _show(value: int | None) -> str:
    return QCoreApplication.translate("QuotaDialog", "unlimited") if value is None else f"{value:,}"


class LimitField(QWidget):
    """A number, or "unlimited", or empty for the default."""

    def __init__(self, default: int | None | _Inherit = INHERIT, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit()
        self.unlimited = QCheckBox(self.tr("unlimited"))
        if default is not INHERIT:
            self.edit.setPlaceholderText(self.tr("default: {0}").format(_show(default)))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.unlimited)
        self.unlimited.toggled.connect(self.edit.setDisabled)

    def set_value(self, value: int | None | _Inherit) -> None:
        self.unlimited.setChecked(value is None)
        self.edit.setText("" if value is None or value is INHERIT else str(value))

    def value(self) -> int | None | _Inherit:
        """Raises ValueError on a negative or non-numeric entry."""
        return None if self.unlimited.isChecked() else parse_limit(self.edit.text())


class QuotaDialog(QDialog):
    def __init__(self, account: str, defaults: dict | None = None, override: dict | None = None,
                 parent: QWidget | None = None):
        """``defaults`` and ``override`` as in GET /accounts/{a}: placeholders and the starting values."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Limits for {0}").format(account))  # title bars are plain text
        defaults = defaults or {}
        override = override or {}
        self._clear = False
        self._defaults = defaults

        self.preset = QComboBox()
        self.preset.addItem(self.tr("Custom"), "")
        for name in PRESET_NAMES:
            self.preset.addItem(self.tr(name), name)
        self.preset.activated.connect(self._apply_preset)

        account_box = QGroupBox(self.tr("Account quota"))
        account_form = QFormLayout(account_box)
        self.fields: dict[str, LimitField] = {}
        for key in QUOTA_KEYS:
            self.fields[key] = LimitField((defaults.get("account") or {}).get(key, INHERIT))
            account_form.addRow(key_label(key), self.fields[key])

        abroad_box = QGroupBox(self.tr("From abroad (outside the home countries)"))
        abroad_form = QFormLayout(abroad_box)
        self.abroad: dict[str, LimitField] = {}
        for key in QUOTA_KEYS:
            self.abroad[key] = LimitField((defaults.get("abroad") or {}).get(key, INHERIT))
            abroad_form.addRow(key_label(key), self.abroad[key])
        self.home = QLineEdit()
        self.home.setPlaceholderText(self.tr("default: {0}").format(
            " ".join(defaults.get("home_countries") or []) or "-"))
        abroad_form.addRow(self.tr("Home countries"), self.home)

        countries_box = QGroupBox(self.tr("Per-country caps (empty cell: no limit)"))
        self.countries = QTableWidget(0, 1 + len(QUOTA_KEYS))
        self.countries.setHorizontalHeaderLabels([self.tr("Country")] + [key_label(k) for k in QUOTA_KEYS])
        self.countries.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.add_country_button = QPushButton(self.tr("Add country"))
        self.remove_country_button = QPushButton(self.tr("Remove country"))
        self.add_country_button.clicked.connect(self._pick_country)
        self.remove_country_button.clicked.connect(self.remove_country_row)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.add_country_button)
        row_buttons.addWidget(self.remove_country_button)
        row_buttons.addStretch()
        countries_layout = QVBoxLayout(countries_box)
        countries_layout.addWidget(self.countries)
        countries_layout.addLayout(row_buttons)

        # Local time on screen, UTC on hover and on the wire; the default from the server's clock.
        self.temporary = QCheckBox(self.tr("Temporary, until"))
        self.expires = QDateTimeEdit(calendarPopup=True)
        self.expires.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.expires.setDateTime(server_now().toLocalTime().addDays(7))
        self.expires.dateTimeChanged.connect(self._show_utc)
        self._show_utc()
        self.temporary.toggled.connect(self.expires.setEnabled)
        self.expires.setEnabled(False)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("Reason (required, stored in the audit log)"))
        bottom = QFormLayout()
        bottom.addRow(self.temporary, self.expires)
        bottom.addRow(self.tr("Reason"), self.reason)

        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #c0392b")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.defaults_button = self.buttons.addButton(self.tr("Back to defaults"),
                                                      QDialogButtonBox.ButtonRole.ResetRole)
        self.defaults_button.setEnabled(bool(override))
        self.defaults_button.clicked.connect(self._back_to_defaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        preset_row = QFormLayout()
        preset_row.addRow(self.tr("Preset"), self.preset)
        layout.addLayout(preset_row)
        columns = QHBoxLayout()
        columns.addWidget(account_box)
        columns.addWidget(abroad_box)
        layout.addLayout(columns)
        layout.addWidget(countries_box)
        layout.addLayout(bottom)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._load_override(override)
        for widget in [*self.fields.values(), *self.abroad.values()]:
            widget.edit.textChanged.connect(self.validate)
            widget.unlimited.toggled.connect(self.validate)
        for edit in (self.home, self.reason):
            edit.textChanged.connect(self.validate)
        self.temporary.toggled.connect(self.validate)
        self.expires.dateTimeChanged.connect(self.validate)
        self.countries.itemChanged.connect(self.validate)
        self.validate()

    # ----- filling -----

    def _load_override(self, override: dict) -> None:
        for key, value in (override.get("limits") or {}).items():
            if key in self.fields:
                self.fields[key].set_value(value)
        for key, value in (override.get("abroad") or {}).items():
            if key in self.abroad:
                self.abroad[key].set_value(value)
        for code, values in (override.get("countries") or {}).items():
            self.add_country_row(code, values)
        if override.get("home_countries"):
            self.home.setText(" ".join(override["home_countries"]))
        if override.get("expires_at"):
            when = QDateTime.fromString(override["expires_at"], Qt.DateFormat.ISODate)
            if when.isValid():
                self.temporary.setChecked(True)
                self.expires.setDateTime(when)

    def _apply_preset(self, index: int) -> None:
        name = self.preset.itemData(index)
        if not name:
            return
        preset = PRESETS[name]
        for key in QUOTA_KEYS:
            self.fields[key].set_value(preset["limits"].get(key, INHERIT))
            self.abroad[key].set_value((preset.get("abroad") or {}).get(key, INHERIT))

    def add_country_row(self, code: str = "", values: dict | None = None) -> int:
        row = self.countries.rowCount()
        self.countries.insertRow(row)
        self.countries.setItem(row, 0, QTableWidgetItem(code))
        for col, key in enumerate(QUOTA_KEYS, start=1):
            value = (values or {}).get(key)
            self.countries.setItem(row, col, QTableWidgetItem("" if value is None else str(value)))
        self.countries.setCurrentCell(row, 0)
        self.validate()
        return row

    def _show_utc(self, *_args) -> None:
        self.expires.setToolTip(self.expires.dateTime().toUTC().toString("yyyy-MM-dd HH:mm 'UTC'"))

    def ask_country(self) -> str:
        """A country picked by name ("" if cancelled); tests patch this."""
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Add a country cap"))
        picker = CountryPicker(single=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(picker)
        layout.addWidget(buttons)
        dialog.resize(360, 460)
        if dialog.exec() != QDialog.DialogCode.Accepted or not picker.codes():
            return ""
        return picker.codes()[0]

    def _pick_country(self) -> None:
        code = self.ask_country()
        if code:
            row = self.add_country_row(code)
            self.countries.item(row, 0).setToolTip(country_name(code, ui_language()))
            self.countries.setCurrentCell(row, 1)

    def _effective(self, fields: dict, group: str) -> dict[str, int | None]:
        """What each limit will be: the value typed, else the default (None: unlimited)."""
        default = self._defaults.get(group) if isinstance(self._defaults.get(group), dict) else {}
        out: dict[str, int | None] = {}
        for key, field in fields.items():
            value = field.value()
            out[key] = default.get(key) if value is INHERIT else value
        return out

    def _check_consistency(self) -> None:
        """An hour may not allow more than its day, a message more than its hour: such a pair makes
        the larger limit unreachable, which is almost always a typo (3,000 an hour, 1,500 a day)."""
        for group, fields in (("account", self.fields), ("abroad", self.abroad)):
            values = self._effective(fields, group)
            for small, large in CONSISTENT:
                a, b = values.get(small), values.get(large)
                if a is not None and b is not None and a > b:
                    where = "" if group == "account" else self.tr("abroad: ")
                    raise ValueError(self.tr("{where}{small} ({a:,}) is more than {large} ({b:,})").format(
                        where=where, small=key_label(small), a=a, large=key_label(large), b=b))

    def remove_country_row(self) -> None:
        row = self.countries.currentRow()
        if row >= 0:
            self.countries.removeRow(row)
            self.validate()

    # ----- reading and validation -----

    def _back_to_defaults(self) -> None:
        if not self.reason.text().strip():
            self.error.setText(self.tr("Give a reason to go back to the defaults."))
            return
        self._clear = True
        super().accept()

    def _country_caps(self) -> dict[str, dict[str, int]]:
        caps: dict[str, dict[str, int]] = {}
        for row in range(self.countries.rowCount()):
            code = (self.countries.item(row, 0).text() if self.countries.item(row, 0) else "").strip().upper()
            if not is_country_code(code):
                raise ValueError(self.tr("row {0}: {1!r} is not an ISO 3166 country code (e.g. CN)").format(
                    row + 1, code))
            if code in caps:
                raise ValueError(self.tr("{0} appears twice in the country caps").format(code))
            cap: dict[str, int] = {}
            for col, key in enumerate(QUOTA_KEYS, start=1):
                item = self.countries.item(row, col)
                text = item.text().strip() if item else ""
                if not text:
                    continue
                if not re.fullmatch(r"\+?\d+", text):
                    raise ValueError(f"{code} {key}: must be a whole number, 0 or more")
                cap[key] = int(text)
            caps[code] = cap
        return caps

    def _home_countries(self) -> list[str] | None:
        codes = [c.upper() for c in _CODE_SPLIT.split(self.home.text().strip()) if c]
        for code in codes:
            if not is_country_code(code):
                raise ValueError(self.tr("home countries: {0!r} is not an ISO 3166 country code").format(code))
        return sorted(set(codes)) or None

    def body(self) -> dict:
        """The PUT body; ValueError names the first bad field."""
        limits: dict[str, int | None] = {}
        abroad: dict[str, int | None] = {}
        for group, fields, out in (("", self.fields, limits), ("abroad ", self.abroad, abroad)):
            for key, field in fields.items():
                try:
                    value = field.value()
                except ValueError as err:
                    raise ValueError(f"{group}{key}: {err}") from None
                if value is not INHERIT:
                    out[key] = value
        self._check_consistency()
        body: dict[str, Any] = {"limits": limits}
        home = self._home_countries()
        if home:
            body["home_countries"] = home
        if abroad:
            body["abroad"] = abroad
        caps = self._country_caps()
        if caps:
            body["countries"] = caps
        if self.temporary.isChecked():
            until = self.expires.dateTime().toUTC()
            if until <= QDateTime.currentDateTimeUtc():
                raise ValueError(self.tr("the expiry must be in the future"))
            body["expires_at"] = until.toString("yyyy-MM-dd'T'HH:mm:ss'Z'")
        reason = self.reason.text().strip()
        if not reason:
            raise ValueError(self.tr("a reason is required"))
        body["reason"] = reason
        return body

    def validate(self) -> bool:
        try:
            self.body()
        except ValueError as err:
            self.error.setText(str(err))
            self.save_button.setEnabled(False)
            return False
        self.error.setText("")
        self.save_button.setEnabled(True)
        return True

    def accept(self) -> None:
        if self.validate():
            super().accept()

    def value(self) -> QuotaChange:
        if self._clear:
            return QuotaChange(None, self.reason.text().strip())
        body = self.body()
        return QuotaChange(body, body["reason"])

    @classmethod
    def ask(cls, parent: QWidget | None, account: str, defaults: dict | None = None,
            override: dict | None = None) -> QuotaChange | None:
        dialog = cls(account, defaults, override, parent)
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
