"""A country picker: names in the UI language with their ISO code, filtered as staff type.

Typing "ウクライナ", "ukr" or "UA" all find Ukraine; the codes go to the backend.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ...geo.countries import COUNTRY_CODES, country_name


def ui_language() -> str:
    """The desk's language as Translations set it ("en" before any)."""
    app = QCoreApplication.instance()
    value = app.property("fumidaiLanguage") if app is not None else None
    return value if value in ("en", "ja") else "en"


class CountryPicker(QWidget):
    """Checkable countries; ``codes()`` the ticked ones. ``single``: at most one at a time."""

    changed = Signal()

    def __init__(self, selected: Iterable[str] = (), parent: QWidget | None = None, *, language: str = "",
                 single: bool = False):
        super().__init__(parent)
        self._single = single
        language = language or ui_language()
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText(self.tr("Type a country's name or code"))
        self.list = QListWidget()
        chosen = {c.upper() for c in selected}
        entries = sorted(((code, country_name(code, language)) for code in COUNTRY_CODES),
                         key=lambda e: (e[0] not in chosen, e[1].casefold()))
        for code, name in entries:
            item = QListWidgetItem(f"{code}  {name}" if name != code else code)  # plain text item
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setData(Qt.ItemDataRole.UserRole + 1, f"{code} {name} {country_name(code, 'en')}".casefold())
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        self.filter.textChanged.connect(self._filter)
        self.list.itemChanged.connect(self._on_item)

    @Slot(str)
    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.data(Qt.ItemDataRole.UserRole + 1))

    def _on_item(self, item: QListWidgetItem) -> None:
        if self._single and item.checkState() == Qt.CheckState.Checked:
            self.list.blockSignals(True)
            for i in range(self.list.count()):
                other = self.list.item(i)
                if other is not item:
                    other.setCheckState(Qt.CheckState.Unchecked)
            self.list.blockSignals(False)
        self.changed.emit()

    def codes(self) -> list[str]:
        return sorted(self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                      if self.list.item(i).checkState() == Qt.CheckState.Checked)

    def set_checked(self, code: str, checked: bool = True) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == code.upper():
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
