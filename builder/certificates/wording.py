"""The words a certificate prints around its data, in the course's language (English or Spanish, as
the player), dates written out the way a reader of that language writes them, and the mastery
criterion worded from the course's certificate rules."""

from __future__ import annotations

from datetime import date

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "certifies": "This certifies that",
        "completed_course": "has completed the course",
        "course": "Course",
        "completed_on": "Completed on",
        "dates": "Dates of participation",
        "hours": "Hours",
        "provider": "Provider",
        "provider_id": "Provider number",
        "topic": "Topic",
        "mastery": "Mastery criterion met",
        "quiz_scores": "Best quiz scores",
        "certificate_id": "Certificate ID",
        "signature": "Signature",
        "issuer_key": "Issuer key",
        "signature_of": "Signature of",
        "verify_scan": "Scan to check this certificate.",
        "verify_at": "Verification page:",
        "verify_run": "Or run:",
        "qr_alt": "QR code that checks certificate",
    },
    "es": {
        "certifies": "Se certifica que",
        "completed_course": "ha completado el curso",
        "course": "Curso",
        "completed_on": "Completado el",
        "dates": "Fechas de participación",
        "hours": "Horas",
        "provider": "Proveedor",
        "provider_id": "Número de proveedor",
        "topic": "Tema",
        "mastery": "Criterio de dominio cumplido",
        "quiz_scores": "Mejores puntuaciones de los cuestionarios",
        "certificate_id": "Identificador del certificado",
        "signature": "Firma",
        "issuer_key": "Clave del emisor",
        "signature_of": "Firma de",
        "verify_scan": "Escanee el código para comprobar este certificado.",
        "verify_at": "Página de verificación:",
        "verify_run": "O ejecute:",
        "qr_alt": "Código QR que comprueba el certificado",
    },
}

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
}


def language_of(tag: str) -> str:
    """'en-US' -> 'en'; a language without a table of its own gets English."""
    base = tag.split("-", 1)[0].lower()
    return base if base in LABELS else "en"


def long_date(day: date, tag: str) -> str:
    """'December 2, 2026' (US English), '2 December 2026' (other English), '2 de diciembre de 2026'."""
    language = language_of(tag)
    month = _MONTHS[language][day.month - 1]
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    if tag.lower() in ("en", "en-us"):
        return f"{month} {day.day}, {day.year}"
    return f"{day.day} {month} {day.year}"


def date_range(start: date | None, end: date, tag: str) -> str:
    if start is None or start >= end:
        return long_date(end, tag)
    return f"{long_date(start, tag)} – {long_date(end, tag)}"


def hours_text(hours: float) -> str:
    return f"{hours:g}"


def mastery_text(tag: str, modules: int, quiz_mark: int | None, reflection_chars: int | None) -> str:
    """The certificate rules in one sentence; quiz_mark/reflection_chars None when the required
    modules have no quiz / no gating reflection."""
    if language_of(tag) == "es":
        parts = [f"completó los {modules} módulos" if modules != 1 else "completó el módulo"]
        if quiz_mark is not None:
            parts.append(f"aprobó cada cuestionario con al menos un {quiz_mark} % (mejor intento)")
        if reflection_chars is not None:
            parts.append(f"respondió cada reflexión guiada con al menos {reflection_chars} caracteres")
    else:
        parts = [f"completed all {modules} modules" if modules != 1 else "completed the module"]
        if quiz_mark is not None:
            parts.append(f"passed every quiz at {quiz_mark} % or more (best attempt)")
        if reflection_chars is not None:
            parts.append(f"answered every guided reflection in at least {reflection_chars} characters")
    joiner = " y " if language_of(tag) == "es" else " and "
    sentence = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + joiner + parts[-1]
    return sentence[0].upper() + sentence[1:] + "."
