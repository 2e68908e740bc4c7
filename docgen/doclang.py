"""The documents' languages: the words docgen itself puts in a plan's document (labels,
headings, signature anchors) and dates and numbers written as each language writes them.

The Word templates carry the prose (``standard.docx`` in English, ``standard.fr.docx``
in French ...); what the context adds is here, so that a French plan never shows an
English label. English keeps the exact forms the documents have always had.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent, get_currency_symbol

from docgen.dates import date_words, held_together
from docgen.languages import FORMAT_LOCALES, SUPPORTED, check_language, zone_abbreviation

# The languages and their locales are docgen.languages' (the plan model's and the
# signer's pages' too): one list for everything a plan is written in.
LANGUAGES = SUPPORTED
DEFAULT_LANGUAGE = SUPPORTED[0]
_LOCALES = FORMAT_LOCALES
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German",
                  "ar": "Arabic"}


def plan_language(plan: Any) -> str:
    """The language a plan's documents are written in: the one place docgen reads it
    (a plan that names none is English here; sending fixes the default_language
    setting's into the envelope's plan data first)."""
    return checked_language(str(getattr(plan, "language", None) or DEFAULT_LANGUAGE))


def checked_language(language: str) -> str:
    return check_language(language)


@dataclass(frozen=True)
class DocumentWords:
    """What the context says in one language (the templates say the rest)."""

    title: str
    roles: dict[str, str]          # employee, manager, hr
    anchors: dict[str, str]        # the signature line texts the stamp looks for
    support: dict[str, str]        # SupportKind values
    cadences: dict[str, str]       # Cadence values
    final_review: str
    progress_review: str
    milestones: dict[str, str]     # weekly, biweekly, monthly, "" (no cadence)
    your_employer: str             # where a sentence needs a company and none is named
    page: str                      # "Page {page} of {pages}", as the footer prints it
    # An outcome letter's words: each goal's assessment ("met", "partly met", "not met"),
    # and a length in days by the language's plural category (CLDR: one, two, few,
    # many, other), written to read after "by"/"for" ("extended by 14 days").
    assessments: dict[str, str]
    days: dict[str, str]


WORDS: dict[str, DocumentWords] = {
    "en": DocumentWords(
        title="Performance Improvement Plan",
        roles={"employee": "Employee", "manager": "Manager", "hr": "HR representative"},
        anchors={"employee": "Employee signature:", "manager": "Manager signature:",
                 "hr": "HR representative signature:"},
        support={"training": "Training", "mentoring": "Mentoring", "coaching": "Coaching",
                 "workload": "Adjusted workload", "tools": "Tools and resources",
                 "other": "Other support"},
        cadences={"weekly": "Weekly", "biweekly": "Every two weeks",
                  "monthly": "Every four weeks"},
        final_review="Final review", progress_review="Progress review",
        milestones={"weekly": "Weekly milestones", "biweekly": "Milestones every two weeks",
                    "monthly": "Monthly milestones", "": "Milestones"},
        your_employer="your employer",
        page="Page {page} of {pages}",
        assessments={"met": "met", "partly met": "partly met", "not met": "not met"},
        days={"one": "{n} day", "other": "{n} days"},
    ),
    "es": DocumentWords(
        title="Plan de mejora del desempeño",
        roles={"employee": "Persona empleada", "manager": "Responsable directo",
               "hr": "Representante de RR. HH."},
        anchors={"employee": "Firma de la persona empleada:",
                 "manager": "Firma del responsable directo:",
                 "hr": "Firma de Recursos Humanos:"},
        support={"training": "Formación", "mentoring": "Mentoría", "coaching": "Coaching",
                 "workload": "Ajuste de la carga de trabajo",
                 "tools": "Herramientas y recursos", "other": "Otros apoyos"},
        cadences={"weekly": "Semanal", "biweekly": "Cada dos semanas",
                  "monthly": "Cada cuatro semanas"},
        final_review="Revisión final", progress_review="Revisión de seguimiento",
        milestones={"weekly": "Hitos semanales", "biweekly": "Hitos quincenales",
                    "monthly": "Hitos mensuales", "": "Hitos"},
        your_employer="su empresa",
        page="Página {page} de {pages}",
        assessments={"met": "alcanzado", "partly met": "parcialmente alcanzado",
                     "not met": "no alcanzado"},
        days={"one": "{n} día", "other": "{n} días"},
    ),
    "fr": DocumentWords(
        title="Plan d’amélioration des performances",
        roles={"employee": "Personne salariée", "manager": "Responsable hiérarchique",
               "hr": "Représentant RH"},
        # No space before the colon: the anchor is searched for in the PDF, and a
        # non-breaking space there reads back as one thing or another.
        # A line reworded keeps its former wording in docgen.stamp.anchors.FORMER_ANCHORS.
        anchors={"employee": "Signature de la personne salariée :",
                 "manager": "Signature du ou de la responsable :",
                 "hr": "Signature des ressources humaines :"},
        support={"training": "Formation", "mentoring": "Mentorat",
                 "coaching": "Accompagnement (coaching)",
                 "workload": "Aménagement de la charge de travail",
                 "tools": "Outils et ressources", "other": "Autre soutien"},
        cadences={"weekly": "Chaque semaine", "biweekly": "Toutes les deux semaines",
                  "monthly": "Toutes les quatre semaines"},
        final_review="Bilan final", progress_review="Point d’étape",
        milestones={"weekly": "Jalons hebdomadaires",
                    "biweekly": "Jalons toutes les deux semaines",
                    "monthly": "Jalons mensuels", "": "Jalons"},
        your_employer="votre employeur",
        page="Page {page} sur {pages}",
        assessments={"met": "atteint", "partly met": "partiellement atteint",
                     "not met": "non atteint"},
        # "many" is CLDR's for millions ("1 000 000 de jours"); no plan runs so long.
        days={"one": "{n}\u00a0jour", "other": "{n}\u00a0jours"},
    ),
    "de": DocumentWords(
        title="Leistungsverbesserungsplan",
        roles={"employee": "Mitarbeitende(r)", "manager": "Führungskraft",
               "hr": "Personalabteilung"},
        anchors={"employee": "Unterschrift Mitarbeitende(r):",
                 "manager": "Unterschrift Führungskraft:",
                 "hr": "Unterschrift Personalabteilung:"},
        support={"training": "Schulung", "mentoring": "Mentoring", "coaching": "Coaching",
                 "workload": "Angepasste Arbeitsmenge",
                 "tools": "Arbeitsmittel und Ressourcen", "other": "Sonstige Unterstützung"},
        cadences={"weekly": "Wöchentlich", "biweekly": "Alle zwei Wochen",
                  "monthly": "Alle vier Wochen"},
        final_review="Abschlussgespräch", progress_review="Zwischengespräch",
        milestones={"weekly": "Wöchentliche Meilensteine",
                    "biweekly": "Meilensteine alle zwei Wochen",
                    "monthly": "Monatliche Meilensteine", "": "Meilensteine"},
        your_employer="Ihr Arbeitgeber",
        page="Seite {page} von {pages}",
        assessments={"met": "erreicht", "partly met": "teilweise erreicht",
                     "not met": "nicht erreicht"},
        days={"one": "{n} Tag", "other": "{n} Tage"},
    ),
    "ar": DocumentWords(
        title="خطة تحسين الأداء",
        roles={"employee": "الموظف", "manager": "المدير المباشر",
               "hr": "ممثل الموارد البشرية"},
        anchors={"employee": "توقيع الموظف:", "manager": "توقيع المدير المباشر:",
                 "hr": "توقيع ممثل الموارد البشرية:"},
        support={"training": "التدريب", "mentoring": "الإرشاد المهني",
                 "coaching": "التوجيه (الكوتشينغ)", "workload": "تعديل عبء العمل",
                 "tools": "الأدوات والموارد", "other": "دعم آخر"},
        cadences={"weekly": "أسبوعيًا", "biweekly": "كل أسبوعين",
                  "monthly": "كل أربعة أسابيع"},
        final_review="المراجعة النهائية", progress_review="مراجعة التقدم",
        milestones={"weekly": "المراحل الأسبوعية", "biweekly": "المراحل كل أسبوعين",
                    "monthly": "المراحل الشهرية", "": "المراحل"},
        your_employer="جهة العمل",
        page="صفحة {page} من {pages}",
        assessments={"met": "تحقق", "partly met": "تحقق جزئيًا", "not met": "لم يتحقق"},
        # After "لمدة" (for): genitive "يومين", the counted noun's six forms.
        days={"zero": "{n} يوم", "one": "يوم واحد", "two": "يومين", "few": "{n} أيام",
              "many": "{n} يومًا", "other": "{n} يوم"},
    ),
}


def words(language: str) -> DocumentWords:
    return WORDS[checked_language(language)]


def signature_anchors(language: str) -> dict[str, str]:
    """The text each signer's line starts with in a document of ``language``."""
    return dict(words(language).anchors)


# -- dates and numbers -------------------------------------------------------------------


def day_count(days: int, language: str) -> str:
    """``14 days``, ``1 día``, ``14\u00a0jours``, ``14 Tage``, ``14 يومًا``, ``يومين``: a
    number of days as the language counts them (its plural category, CLDR by Babel)."""
    forms = words(language).days
    category = Locale.parse(_LOCALES[language]).plural_form(days)
    form = forms.get(category, forms["other"])
    return form.format(n=whole_or_decimal(days, language))


def assessment(value: str, language: str) -> str:
    """A goal's assessment at the final review (``met``, ``partly met``, ``not met``) in
    ``language``."""
    return words(language).assessments[value]


def long_date(value: dt.date, language: str) -> str:
    """``1 December 2026``, ``1 de diciembre de 2026``, ``1er décembre 2026``,
    ``1. Dezember 2026`` ..."""
    if language == "en":
        return held_together(f"{value.day} {value:%B %Y}")
    return date_words(value, "long", _LOCALES[language], held=True)


def short_date(value: dt.date, language: str) -> str:
    if language == "en":
        return held_together(f"{value.day} {value:%b %Y}")
    return date_words(value, "medium", _LOCALES[language], held=True)


def weekday_name(value: dt.date, language: str) -> str:
    if language == "en":
        return f"{value:%A}"
    return format_date(value, "EEEE", locale=_LOCALES[language])


def clock_time(value: dt.time | dt.datetime, language: str) -> str:
    """A wall-clock time: ``09:30`` (and ``9:30 ص`` in Arabic)."""
    if language == "en":
        return f"{value:%H:%M}"
    return format_time(value, "short", locale=_LOCALES[language])


def whole_or_decimal(value: float, language: str) -> str:
    pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
    if language == "en":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return format_decimal(value, format=pattern, locale=_LOCALES[language])


_EN_PREFIX = {"USD": "$", "EUR": "€", "GBP": "£"}


def amount(value: float | None, unit: str, language: str) -> str:
    """A measure with its unit: ``$90,000`` / ``90.000 US$`` / ``68 %`` / ``12 tickets``.
    The currency symbol goes where the language puts it."""
    if value is None:
        return "—"
    number = whole_or_decimal(value, language)
    if language == "en":
        if unit in _EN_PREFIX:
            return _EN_PREFIX[unit] + number
        if unit == "%":
            return number + "%"
        return f"{number} {unit}".strip()
    locale = _LOCALES[language]
    if unit == "%":
        return percent_text(number, language)
    if len(unit) == 3 and unit.isalpha() and unit.isupper():
        symbol = get_currency_symbol(unit, locale=locale)
        # Spanish, French and German write the symbol after the number, Arabic too
        # (right to left, the symbol then reads first).
        return f"{number}\u00a0{symbol}"
    return f"{number} {unit}".strip()


def percent(value: int, language: str) -> str:
    """A whole percentage: ``68%``, ``68 %`` (French, Spanish, German)."""
    if language == "en":
        return f"{value}%"
    return format_percent(value / 100, locale=_LOCALES[language])


def percent_text(number: str, language: str) -> str:
    if language in ("fr", "es", "de"):
        return f"{number}\u00a0%"
    return f"{number}%"


def zone_label(moment: dt.datetime, language: str | None = None) -> str:
    """``CET`` (``MEZ`` in German) where the zone has an abbreviation, ``UTC-3`` where it
    has only an offset: :func:`docgen.languages.zone_abbreviation`, the one rule."""
    return zone_abbreviation(moment, language)


def end_sentence(text: str) -> str:
    """``text`` followed by a full stop, unless it ends in one already ("Inc.")."""
    stripped = text.rstrip()
    return stripped if stripped.endswith((".", "…", "!", "?")) else stripped + "."


def one_full_stop(sentence: str, name: str) -> str:
    """``sentence`` (already written, in any language) without the second full stop a
    name that ends in one gets where it ends the sentence: "... by Harbor & Finch
    Analytics, Inc.." becomes "... Inc.". Where the name stands mid-sentence (as in
    Arabic, which puts the sender before the object) nothing changes. For HTML, pass
    the name as it is escaped in the sentence."""
    name = name.rstrip()
    if not name.endswith((".", "…", "!", "?")):
        return sentence
    # A name isolated from the sentence's direction ends where its isolate does: at
    # U+2069 in text, at </bdi> in HTML.
    for closed in (name, name + "\u2069", name + "</bdi>"):
        sentence = sentence.replace(closed + ".", closed)
    return sentence


# The plan's "concerns" and "wellbeing" sections and what happens at its end
# ("outcomes.success" ...) as plansign words them when HR leave them at the default
# (docgen.model's English text): they name no procedure, service or telephone number the
# employer may not have, and send the employee to HR for details.
_STANDARD_SECTIONS: dict[str, dict[str, str]] = {
    "es": {
        "outcomes.success": (
            "El plan se cierra y la persona empleada continúa en su puesto con el "
            "seguimiento habitual del desempeño."),
        "outcomes.extension": (
            "Si se aprecia un progreso claro pero los objetivos no se han alcanzado por "
            "completo, el plan puede prorrogarse una sola vez, hasta 30 días, con las "
            "mismas reuniones de seguimiento."),
        "outcomes.further_action": (
            "Si no se alcanzan los objetivos, podrán adoptarse otras medidas, que pueden "
            "llegar hasta la extinción del contrato de trabajo, de conformidad con la "
            "política de la empresa."),
        "concerns": (
            "La persona empleada puede plantear cualquier inquietud sobre este plan, los "
            "hechos que recoge o la forma en que se aplica, a su responsable directo o a la "
            "persona de contacto de Recursos Humanos indicada en este plan, en una reunión "
            "de seguimiento o en cualquier otro momento, y puede añadir comentarios por "
            "escrito al plan. Si desea presentar una queja o un recurso formal, debe "
            "consultar a Recursos Humanos qué procedimiento es de aplicación, cómo "
            "utilizarlo y si existen plazos para hacerlo."),
        "wellbeing": (
            "Estar en un plan de mejora del desempeño puede generar estrés. La persona "
            "empleada puede consultar a Recursos Humanos, de forma confidencial, qué apoyo "
            "al bienestar tiene a su disposición, como un programa de asistencia al "
            "empleado, y cómo acceder a él. Si su salud o sus circunstancias personales "
            "están afectando a su trabajo, se le anima a comunicarlo a su responsable "
            "directo o a Recursos Humanos, para que puedan valorarse medidas de apoyo o "
            "adaptaciones."),
    },
    "fr": {
        "outcomes.success": (
            "Le plan est clôturé et la personne salariée poursuit ses fonctions, avec le "
            "suivi habituel de ses performances."),
        "outcomes.extension": (
            "Si des progrès nets ont été réalisés sans que les objectifs soient entièrement"
            " atteints, le plan peut être prolongé une seule fois, de 30\u00a0jours au plus, "
            "avec les mêmes points de suivi."),
        "outcomes.further_action": (
            "Si les objectifs ne sont pas atteints, d’autres mesures pourront être "
            "envisagées, pouvant aller jusqu’à la rupture du contrat de travail, "
            "conformément aux règles de l’entreprise."),
        "concerns": (
            "La personne salariée peut faire part de toute préoccupation concernant ce plan, "
            "les faits qu’il mentionne ou la manière dont il est mis en œuvre à son ou sa "
            "responsable hiérarchique ou à l’interlocuteur RH désigné dans ce plan, lors "
            "d’un point de suivi ou à tout autre moment, et peut joindre des observations "
            "écrites au plan. Si elle souhaite formuler une réclamation ou un recours "
            "formel, elle peut demander aux ressources humaines quelle procédure "
            "s’applique, comment l’utiliser et si des délais doivent être respectés."),
        "wellbeing": (
            "Un plan d’amélioration des performances peut être source de stress. La "
            "personne salariée peut demander aux ressources humaines, en toute "
            "confidentialité, quels dispositifs de soutien sont à sa disposition, par "
            "exemple un programme d’aide aux personnes salariées, et comment y accéder. "
            "Si sa santé ou sa situation personnelle a des répercussions sur son travail, "
            "elle est "
            "invitée à en informer son ou sa responsable ou les ressources humaines, afin "
            "que des mesures de soutien ou des aménagements puissent être envisagés."),
    },
    "de": {
        "outcomes.success": (
            "Der Plan wird abgeschlossen; die oder der Mitarbeitende bleibt in der "
            "bisherigen Funktion, mit der üblichen Leistungsbeurteilung."),
        "outcomes.extension": (
            "Sind deutliche Fortschritte erkennbar, die Ziele aber noch nicht vollständig "
            "erreicht, kann der Plan einmalig um bis zu 30 Tage verlängert werden, mit "
            "denselben Feedbackgesprächen."),
        "outcomes.further_action": (
            "Werden die Ziele nicht erreicht, können weitere Maßnahmen folgen, bis hin zur "
            "Beendigung des Arbeitsverhältnisses, im Einklang mit den Richtlinien des "
            "Unternehmens."),
        "concerns": (
            "Bedenken zu diesem Plan, zu den darin genannten Tatsachen oder zu seiner "
            "Umsetzung können jederzeit gegenüber der Führungskraft oder der in diesem "
            "Plan genannten Ansprechperson der Personalabteilung geäußert werden, in einem "
            "Feedbackgespräch oder zu jedem anderen Zeitpunkt; außerdem können dem Plan "
            "schriftliche Anmerkungen beigefügt werden. Wer eine förmliche Beschwerde "
            "einlegen oder den Plan anfechten möchte, erfährt bei der Personalabteilung, "
            "welches Verfahren gilt, wie es abläuft und ob dabei Fristen zu beachten sind."),
        "wellbeing": (
            "Ein Leistungsverbesserungsplan kann belastend sein. Die Personalabteilung gibt "
            "vertraulich Auskunft darüber, welche Unterstützungsangebote zur Verfügung "
            "stehen, etwa ein Mitarbeiterunterstützungsprogramm (EAP), und wie sie zu "
            "erreichen sind. Wirken sich gesundheitliche oder persönliche Umstände auf die "
            "Arbeit aus, ist es ausdrücklich erwünscht, die Führungskraft oder die "
            "Personalabteilung darüber zu informieren, damit Unterstützung oder "
            "Anpassungen geprüft werden können."),
    },
    "ar": {
        "outcomes.success": (
            "تُغلق الخطة، ويستمر الموظف في وظيفته مع المتابعة المعتادة للأداء."),
        "outcomes.extension": (
            "إذا تحقق تقدّم واضح دون أن تتحقق الأهداف بالكامل، يجوز تمديد الخطة مرة واحدة "
            "لمدة أقصاها 30 يومًا، مع الإبقاء على اجتماعات المتابعة نفسها."),
        "outcomes.further_action": (
            "إذا لم تتحقق الأهداف، فقد تُتخذ إجراءات أخرى قد تصل إلى إنهاء الخدمة، وفقًا "
            "لسياسة جهة العمل."),
        "concerns": (
            "يمكن للموظف أن يطرح أي ملاحظة أو اعتراض بشأن هذه الخطة أو الوقائع الواردة فيها "
            "أو طريقة تنفيذها على مديره المباشر أو على مسؤول الموارد البشرية المذكور في هذه "
            "الخطة، خلال أحد اجتماعات المتابعة أو في أي وقت آخر، كما يمكنه إرفاق ملاحظات "
            "مكتوبة بالخطة. وإذا رغب الموظف في تقديم شكوى أو تظلّم رسمي، فعليه أن يستفسر من "
            "الموارد البشرية عن الإجراء المعمول به وكيفية اتباعه وعن أي مُهل زمنية تنطبق عليه."),
        "wellbeing": (
            "قد يكون الخضوع لخطة تحسين الأداء مصدر ضغط. ويمكن للموظف أن يسأل الموارد "
            "البشرية، بسرية تامة، عن أشكال الدعم المتاحة له، مثل برنامج مساعدة الموظفين، "
            "وعن كيفية الاستفادة منها. وإذا كانت حالته الصحية أو ظروفه الشخصية تؤثر في "
            "عمله، فنشجّعه على إبلاغ مديره المباشر أو الموارد البشرية حتى يمكن النظر في "
            "تقديم الدعم أو إجراء التعديلات المناسبة."),
    },
}


def standard_sections(language: str) -> dict[str, str]:
    """plansign's default wording of the concerns and wellbeing sections and of the
    plan's outcomes (``outcomes.success``, ``outcomes.extension``,
    ``outcomes.further_action``) in ``language`` (not English: docgen.model holds the
    English)."""
    return _STANDARD_SECTIONS[checked_language(language)]
