"""Printing people's text in a PDF whose font cannot draw every character.

The bundled DejaVu Sans has every Vietnamese letter, but people paste text with characters it
lacks (Chinese characters, the "bold" letters of social media). fpdf2 would draw nothing for
them and only log a warning, so a printed sheet would silently say less than the screen.
`PrintableText`, mixed into an FPDF subclass, changes each such character as it is written: to
its compatibility form when the font has that (𝐀 → A), else to □; `note_unprintable()` then
prints, at the end, which characters could not be printed, by their Unicode code points.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "□"


class PrintableText:
    """A mixin for `fpdf.FPDF` subclasses: text is checked against the current font's characters."""

    def normalize_text(self, text: str) -> str:  # fpdf2 passes every text it writes through here
        font = getattr(self, "current_font", None)
        cmap = getattr(font, "cmap", None)
        if cmap and any(ord(c) not in cmap and not c.isspace() for c in text):
            text = "".join(self._printable(c, cmap) for c in text)
        return super().normalize_text(text)  # type: ignore[misc]

    def _printable(self, char: str, cmap: dict[int, object]) -> str:
        if ord(char) in cmap or char.isspace():
            return char
        compatible = unicodedata.normalize("NFKC", char)
        if compatible != char and all(ord(c) in cmap for c in compatible):
            return compatible
        unprintable: dict[str, None] = self.__dict__.setdefault("_unprintable", {})
        unprintable[char] = None
        return REPLACEMENT

    @property
    def unprintable(self) -> list[str]:
        """The characters printed as □ so far, in the order met."""
        return list(self.__dict__.get("_unprintable", {}))

    def note_unprintable(self, height: float = 5) -> None:
        """Say on the sheet which characters could not be printed (nothing when all could)."""
        missing = self.unprintable
        if not missing:
            return
        codes = ", ".join(f"U+{ord(c):04X}" for c in missing[:20]) + (f" và {len(missing) - 20} ký tự khác" if len(missing) > 20 else "")
        self.ln(2)  # type: ignore[attr-defined]
        self.multi_cell(0, height, f"Ghi chú: phông chữ của phiếu không có {len(missing)} ký tự trong nội dung đã nhập; "  # type: ignore[attr-defined]
                        f"mỗi ký tự đó được in thành {REPLACEMENT} ({codes}). Xem nội dung đầy đủ trên hệ thống.")
