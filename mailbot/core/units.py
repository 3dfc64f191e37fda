"""The units registry: schools and the office, their names, aliases and official addresses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mailbot.core.text import fold, nfc

_TRUE = {"yes", "y", "true", "1", "có", "x"}


class UnitDataError(ValueError):
    """A row of the units file is unusable; the message names the row and the field."""


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str  # official name, e.g. "Trường THCS Thới Lai"
    subject_name: str  # the name a subject should carry, e.g. "THCS Thới Lai"
    kind: str
    aliases: tuple[str, ...]
    addresses: tuple[str, ...]
    reports: bool  # reports to the office (THPT and centres do not)

    def names(self) -> tuple[str, ...]:
        return (self.subject_name, self.name, *self.aliases)


def _name_keys(name: str) -> set[str]:
    key = fold(name)
    keys = {key}
    if key.startswith("truong "):
        keys.add(key.removeprefix("truong "))
    return keys


@dataclass(frozen=True)
class Mention:
    start: int  # token positions in the folded text
    end: int
    units: tuple[Unit, ...]  # several when the name is ambiguous


class Registry:
    """Look-ups by address and by folded name; built once per poll from the database."""

    def __init__(self, units: Iterable[Unit]):
        self.units = {u.unit_id: u for u in units}
        self._by_address = {a.lower(): u for u in self.units.values() for a in u.addresses}
        self._by_key: dict[str, set[str]] = {}
        for unit in self.units.values():
            for name in unit.names():
                for key in _name_keys(name):
                    self._by_key.setdefault(key, set()).add(unit.unit_id)
        self._reporting_keys: dict[str, set[str]] = {}
        for key, ids in self._by_key.items():
            reporting = {i for i in ids if self.units[i].reports}
            if reporting:
                self._reporting_keys.setdefault(key, set()).update(reporting)
                if key.endswith((" a", " b")):  # "TH Châu Hưng" names both A and B
                    self._reporting_keys.setdefault(key[:-2], set()).update(reporting)
        self._longest = max((len(k.split()) for k in self._by_key), default=1)

    def by_address(self, address: str) -> Unit | None:
        return self._by_address.get(address.lower())

    def match_name(self, text: str) -> list[Unit]:
        """Units whose name or alias equals the text, ignoring accents, case, spacing and "Trường"."""
        ids: set[str] = set()
        for key in _name_keys(text):
            ids |= self._by_key.get(key, set())
            # "TH Châu Hưng" names both "TH Châu Hưng A" and "… B": ambiguous, the caller decides
            ids |= self._by_key.get(f"{key} a", set()) | self._by_key.get(f"{key} b", set())
        return sorted((self.units[i] for i in ids), key=lambda u: u.unit_id)

    def mentions(self, tokens: list[str]) -> list[Mention]:
        """Reporting-unit names in folded tokens, longest first, without overlaps."""
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            for j in range(min(len(tokens), i + self._longest), i, -1):
                ids = self._reporting_keys.get(" ".join(tokens[i:j]))
                if ids:
                    found.append(Mention(i, j, tuple(sorted((self.units[u] for u in ids), key=lambda u: u.unit_id))))
                    i = j
                    break
            else:
                i += 1
        return found

    def __len__(self) -> int:
        return len(self.units)


def unit_from_row(row: Mapping[str, object], line: int) -> Unit:
    """Build a Unit from a units-file row (columns as in config/units.example.csv)."""

    def cell(name: str) -> str:
        value = row.get(name)
        return nfc(str(value)) if value is not None else ""

    unit_id = cell("unit_id")
    if not unit_id:
        raise UnitDataError(f"dòng {line}: thiếu mã đơn vị (cột unit_id)")
    name = cell("official_name") or cell("name")
    if not name:
        raise UnitDataError(f"dòng {line} ({unit_id}): thiếu tên đơn vị (cột official_name)")
    addresses = tuple(a.strip().lower() for a in cell("email").replace(";", "|").split("|") if a.strip())
    for address in addresses:
        if address.count("@") != 1 or not address.isascii() or " " in address:
            raise UnitDataError(f"dòng {line} ({unit_id}): địa chỉ thư không hợp lệ: {address!r}")
    return Unit(
        unit_id=unit_id,
        name=name,
        subject_name=cell("subject_name") or name,
        kind=cell("unit_type") or cell("kind"),
        aliases=tuple(a.strip() for a in cell("aliases").split("|") if a.strip()),
        addresses=addresses,
        reports=cell("reports_to_pgd").casefold() in _TRUE,
    )
