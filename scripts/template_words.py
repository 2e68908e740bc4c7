"""What the English Word templates say, in Spanish, French, German and Arabic.

scripts/translate_templates.py reads templates/standard.docx and sales.docx, and the
outcome letters templates/letters/outcome-*.docx, and writes each language's version
beside them with these words, run by run: each entry is the
exact text of one run of the English template (a run is text in one format, so a bold
label and its value are separate entries) and what it becomes. Jinja tags are kept as
they are and may move within a run. "~" stands for a no-break space (French puts one
before a colon, and every language keeps a label with its value); French puts a
narrow no-break space, written \u202f, before ; ? and !. A French sentence never puts
"de" or "que" before a name (Amélie, Harbor & Finch): it would need "d’" or "qu’", so it
is worded around the name ("travail fourni par ...", "le soutien qu’apportera ...").

Written as an HR professional writes a performance improvement plan in each language,
not word for word: the signature is a receipt and a record of understanding, never
agreement, in the terms each language's practice uses (acuse de recibo; signature
valant accusé de réception; Empfangsbestätigung und Kenntnisnahme; إقرار بالاستلام).
"""

from __future__ import annotations

ENTRIES: list[tuple[str, dict[str, str]]] = []


def t(en: str, *, es: str, fr: str, de: str, ar: str, **narrow: str) -> None:
    """One run's words. ``narrow``: a shorter form for one template's narrow cells, as
    ``de_sales="Name"`` (sales.docx's details table has 2.5 cm labels)."""
    ENTRIES.append((en, {"es": es, "fr": fr, "de": de, "ar": ar,
                         **{k.replace("_", "@"): v for k, v in narrow.items()}}))


# -- title block and details ------------------------------------------------------------
# A run of Jinja tags alone is left as it is, unless a language writes it otherwise: a
# German date after its weekday takes a comma ("Montag, 11. Januar 2027").
for _dated in ("timeline.start", "timeline.end", "m.date", "r.date"):
    _run = f"{{{{ {_dated}|weekday }}}} {{{{ {_dated} }}}}"
    t(_run, es=_run, fr=_run, ar=_run,
      de=f"{{{{ {_dated}|weekday }}}}, {{{{ {_dated} }}}}")
_run = "{{ m.due|weekday }} {{ m.due|shortdate }}"
t(_run, es=_run, fr=_run, ar=_run, de="{{ m.due|weekday }}, {{ m.due|shortdate }}")

t("Plan period:~",
  es="Periodo del plan:~", fr="Période du plan~:~", de="Planzeitraum:~", ar="مدة الخطة:~")
t("{{ timeline.start|nobreak }} to {{ timeline.end|nobreak }} ({{ timeline.length_days }}~days)",
  es="del {{ timeline.start|nobreak }} al {{ timeline.end|nobreak }} "
     "({{ timeline.length_days }}~días)",
  fr="du {{ timeline.start|nobreak }} au {{ timeline.end|nobreak }} "
     "({{ timeline.length_days }}~jours)",
  de="{{ timeline.start|nobreak }} bis {{ timeline.end|nobreak }} "
     "({{ timeline.length_days }}~Tage)",
  ar="من {{ timeline.start|nobreak }} إلى {{ timeline.end|nobreak }} "
     "({{ timeline.length_days }}~يومًا)")
t("    Reference:~", es="    Referencia:~", fr="    Référence~:~", de="    Referenz:~",
  ar="    المرجع:~")
t("    Issued:~", es="    Fecha de emisión:~", fr="    Établi le~:~", de="    Ausgestellt~am:~",
  ar="    تاريخ الإصدار:~")
t("DRAFT: not for signature. This plan was generated despite lint errors (see plansign "
  "lint) and is not ready to give to the employee.",
  es="BORRADOR: no apto para firma. Este plan se ha generado pese a los errores de "
     "revisión (véase plansign lint) y no está listo para entregarse a la persona empleada.",
  fr="PROJET~: ne pas signer. Ce plan a été généré malgré des erreurs de vérification "
     "(voir plansign lint) et ne peut pas encore être remis à la personne salariée.",
  de="ENTWURF: nicht zur Unterschrift. Dieser Plan wurde trotz Prüffehlern erstellt "
     "(siehe plansign lint) und kann der oder dem Mitarbeitenden noch nicht übergeben werden.",
  ar="مسودة: غير معدّة للتوقيع. أُنشئت هذه الخطة رغم وجود أخطاء في التدقيق (انظر plansign "
     "lint)، وهي غير جاهزة لتسليمها إلى الموظف.")
t("Employee and plan details",
  es="Datos de la persona empleada y del plan",
  fr="Informations sur la personne salariée et le plan",
  de="Angaben zur Person und zum Plan", ar="بيانات الموظف والخطة")
t("Employee", es="Persona empleada", fr="Personne salariée", de="Mitarbeitende(r)", ar="الموظف",
  de_sales="Name")
t("Employee ID", es="N.º de empleado", fr="Matricule", de="Personalnummer", ar="الرقم الوظيفي")
t("Job title", es="Puesto", fr="Intitulé du poste", de="Stellenbezeichnung",
  ar="المسمى الوظيفي")
t("Department", es="Departamento", fr="Service", de="Abteilung", ar="القسم")
t("Location", es="Centro de trabajo", fr="Lieu de travail", de="Arbeitsort", ar="مكان العمل")
t("Hire date", es="Fecha de incorporación", fr="Date d’embauche", de="Eintrittsdatum",
  ar="تاريخ التعيين")
t("Employment type", es="Tipo de contrato", fr="Type de contrat", de="Beschäftigungsart",
  ar="نوع التوظيف")
t("Manager", es="Responsable directo", fr="Responsable hiérarchique", de="Führungskraft",
  ar="المدير المباشر")
t("HR partner", es="Contacto de RR. HH.", fr="Interlocuteur RH", de="Ansprechperson HR",
  ar="مسؤول الموارد البشرية", de_sales="HR-Kontakt")
t("Plan start", es="Inicio del plan", fr="Début du plan", de="Beginn des Plans",
  ar="بداية الخطة")
t("Plan end and final review", es="Fin del plan y revisión final",
  fr="Fin du plan et bilan final", de="Ende des Plans und Abschlussgespräch",
  ar="نهاية الخطة والمراجعة النهائية")
t("Length", es="Duración", fr="Durée", de="Dauer", ar="المدة")
t("{{ timeline.length_days }} calendar days (plan weeks 1 to {{ timeline.weeks }})",
  es="{{ timeline.length_days }} días naturales (semanas 1 a {{ timeline.weeks }} del plan)",
  fr="{{ timeline.length_days }}~jours calendaires (semaines 1 à {{ timeline.weeks }} du plan)",
  de="{{ timeline.length_days }} Kalendertage (Planwochen 1 bis {{ timeline.weeks }})",
  ar="{{ timeline.length_days }} يومًا تقويميًا (الأسابيع من 1 إلى {{ timeline.weeks }} من الخطة)")
t("Plan reference", es="Referencia del plan", fr="Référence du plan", de="Planreferenz",
  ar="مرجع الخطة")

# -- purpose, role, history ----------------------------------------------------------------
t("Purpose of this plan", es="Objeto de este plan", fr="Objet du présent plan",
  de="Zweck dieses Plans", ar="الغرض من هذه الخطة")
t("This Performance Improvement Plan (PIP) sets out where the performance of "
  "{{ employee.name }} does not yet meet the requirements of the role, what needs to "
  "change, how progress will be measured and what support {{ company.reference }} will "
  "provide. Its aim is to help {{ employee.name }} succeed in the role. The plan runs from "
  "{{ timeline.start }} to {{ timeline.end }}, with regular check-ins and reviews along the way.",
  es="Este plan de mejora del desempeño recoge en qué aspectos el desempeño de "
     "{{ employee.name }} aún no alcanza lo que exige el puesto, qué debe cambiar, cómo se "
     "medirá el progreso y qué apoyo proporcionará {{ company.reference }}. Su finalidad es "
     "ayudar a {{ employee.name }} a desempeñar el puesto con éxito. El plan se extiende del "
     "{{ timeline.start }} al {{ timeline.end }}, con reuniones de seguimiento y revisiones "
     "periódicas durante ese tiempo.",
  fr="Le présent plan d’amélioration des performances précise les points sur lesquels le "
     "travail fourni par {{ employee.name }} ne répond pas encore aux exigences du poste, ce "
     "qui doit évoluer, la manière dont les progrès seront mesurés et le soutien "
     "qu’apportera {{ company.reference }}. Il a pour but d’aider {{ employee.name }} à réussir "
     "dans son poste. Le plan court du {{ timeline.start }} au {{ timeline.end }}, avec des "
     "points de suivi et des bilans réguliers.",
  de="Dieser Leistungsverbesserungsplan hält fest, in welchen Punkten die Leistung von "
     "{{ employee.name }} den Anforderungen der Stelle noch nicht entspricht, was sich ändern "
     "muss, wie Fortschritte gemessen werden und welche Unterstützung {{ company.reference }} "
     "bietet. Ziel ist es, {{ employee.name }} dabei zu unterstützen, die Stelle erfolgreich "
     "auszufüllen. Der Plan läuft vom {{ timeline.start }} bis zum {{ timeline.end }}, mit "
     "regelmäßigen Feedbackgesprächen und Zwischengesprächen.",
  ar="تحدد خطة تحسين الأداء هذه الجوانب التي لا يزال فيها أداء {{ employee.name }} دون "
     "متطلبات الوظيفة، وما يلزم تغييره، وكيف سيُقاس التقدم، والدعم الذي ستقدمه "
     "{{ company.reference }}. والهدف منها مساعدة {{ employee.name }} على النجاح في وظيفته. "
     "وتسري الخطة من {{ timeline.start }} إلى {{ timeline.end }}، مع اجتماعات متابعة "
     "ومراجعات منتظمة خلال هذه المدة.")
t("Role summary and reporting line", es="Resumen del puesto y dependencia jerárquica",
  fr="Description du poste et rattachement hiérarchique",
  de="Aufgabenbeschreibung und Berichtslinie", ar="ملخص الوظيفة والتسلسل الإداري")
t("Reporting line: ", es="Dependencia jerárquica: ", fr="Rattachement hiérarchique~: ",
  de="Berichtslinie: ", ar="التسلسل الإداري: ")
t("{{ employee.name }} reports to {{ manager.name }}{% if manager.title %}, "
  "{{ manager.title }}{% endif %}. The HR contact for this plan is {{ hr.name }}"
  "{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  es="{{ employee.name }} depende de {{ manager.name }}{% if manager.title %}, "
     "{{ manager.title }}{% endif %}. La persona de contacto de Recursos Humanos para este plan "
     "es {{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  fr="{{ employee.name }} a pour responsable hiérarchique {{ manager.name }}"
     "{% if manager.title %}, {{ manager.title }}{% endif %}. Pour ce plan, le contact RH "
     "est {{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  de="{{ employee.name }} berichtet an {{ manager.name }}{% if manager.title %}, "
     "{{ manager.title }}{% endif %}. Ansprechperson der Personalabteilung für diesen Plan ist "
     "{{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  ar="يتبع {{ employee.name }} إداريًا {{ manager.name }}{% if manager.title %}، "
     "{{ manager.title }}{% endif %}. ومسؤول الموارد البشرية لهذه الخطة هو {{ hr.name }}"
     "{% if hr.title %}، {{ hr.title }}{% endif %} ({{ hr.email }}).")
t("Performance history", es="Historial de desempeño", fr="Historique des performances",
  de="Bisherige Leistung", ar="سجل الأداء")
t("Period reviewed: ", es="Periodo analizado: ", fr="Période examinée~: ",
  de="Betrachteter Zeitraum: ", ar="الفترة التي جرت مراجعتها: ")
t("{{ history.start }} to {{ history.end }}",
  es="del {{ history.start }} al {{ history.end }}",
  fr="du {{ history.start }} au {{ history.end }}",
  de="{{ history.start }} bis {{ history.end }}",
  ar="من {{ history.start }} إلى {{ history.end }}")
t("Period", es="Periodo", fr="Période", de="Zeitraum", ar="الفترة")
t("What happened", es="Hechos", fr="Faits", de="Was geschah", ar="ما حدث")
t("Measured results", es="Resultados medidos", fr="Résultats mesurés",
  de="Gemessene Ergebnisse", ar="النتائج المقيسة")
t("Measure", es="Indicador", fr="Indicateur", de="Kennzahl", ar="المؤشر")
t("Target", es="Meta", fr="Objectif", de="Zielwert", ar="المستهدف")
t("Actual", es="Resultado", fr="Réalisé", de="Ist-Wert", ar="الفعلي")
t("Attainment", es="Cumplimiento", fr="Taux d’atteinte", de="Zielerreichung",
  ar="نسبة الإنجاز")
t("Attainment is the actual result as a share of the target.",
  es="El cumplimiento es el resultado obtenido en porcentaje de la meta.",
  fr="Le taux d’atteinte est le résultat réalisé rapporté à l’objectif.",
  de="Die Zielerreichung ist der Ist-Wert im Verhältnis zum Zielwert.",
  ar="نسبة الإنجاز هي النتيجة الفعلية منسوبةً إلى المستهدف.")

# -- areas and goals ------------------------------------------------------------------------
t("Areas for improvement", es="Aspectos que deben mejorar", fr="Points à améliorer",
  de="Verbesserungsbereiche", ar="جوانب التحسين")
t("The areas below need to improve. Each is supported by the facts listed with it.",
  es="Los aspectos siguientes deben mejorar. Cada uno se apoya en los hechos que lo acompañan.",
  fr="Des progrès sont attendus sur les points ci-dessous. Chacun s’appuie sur les faits "
     "qui l’accompagnent.",
  de="In den folgenden Bereichen ist eine Verbesserung erforderlich. Jeder Bereich ist "
     "durch die jeweils aufgeführten Tatsachen belegt.",
  ar="يلزم تحسين الجوانب التالية، ويستند كل منها إلى الوقائع المذكورة معه.")
t("Date", es="Fecha", fr="Date", de="Datum", ar="التاريخ")
t("What was observed", es="Hechos observados", fr="Faits constatés",
  de="Beobachtete Tatsachen", ar="ما لوحظ")
t("Source", es="Fuente", fr="Source", de="Quelle", ar="المصدر")
t("No evidence is recorded for this area yet.",
  es="Aún no se han registrado hechos para este aspecto.",
  fr="Aucun fait n’est encore consigné pour ce point.",
  de="Für diesen Bereich sind noch keine Belege erfasst.",
  ar="لم تُسجَّل أي وقائع لهذا الجانب حتى الآن.")
t("Goals", es="Objetivos", fr="Objectifs", de="Ziele", ar="الأهداف")
t("{% if plan.lint_passed %}Each goal below is specific and measurable and is due within "
  "the plan period. {% endif %}Week numbers count from the start of the plan: week 1 is "
  "the seven days from {{ timeline.start }}.",
  es="{% if plan.lint_passed %}Cada uno de los objetivos siguientes es específico y medible "
     "y vence dentro del periodo del plan. {% endif %}Las semanas se cuentan desde el inicio "
     "del plan: la semana 1 son los siete días a partir del {{ timeline.start }}.",
  fr="{% if plan.lint_passed %}Chaque objectif ci-dessous est précis et mesurable, et son "
     "échéance tombe dans la période du plan. {% endif %}Les semaines sont comptées à partir "
     "du début du plan~: la semaine 1 correspond aux sept jours à compter du "
     "{{ timeline.start }}.",
  de="{% if plan.lint_passed %}Jedes der folgenden Ziele ist spezifisch und messbar und "
     "innerhalb des Planzeitraums fällig. {% endif %}Die Wochen werden ab Beginn des Plans "
     "gezählt: Woche 1 sind die sieben Tage ab dem {{ timeline.start }}.",
  ar="{% if plan.lint_passed %}كل هدف من الأهداف التالية محدد وقابل للقياس، ويحل موعده "
     "خلال مدة الخطة. {% endif %}تُحسب الأسابيع من بداية الخطة: الأسبوع 1 هو الأيام السبعة "
     "ابتداءً من {{ timeline.start }}.")
# The letters' goal column is 1.4 cm wide: a number's heading there.
t("Goal", es="Objetivo", fr="Objectif", de="Ziel", ar="الهدف",
  **{f"{language}_outcome-{kind}": short for kind in ("successful", "extension", "not-met")
     for language, short in (("es", "N.º"), ("fr", "N°"), ("de", "Nr."))})
t("How it is measured", es="Cómo se mide", fr="Mode de mesure", de="Messgröße",
  ar="طريقة القياس")
t("Baseline", es="Punto de partida", fr="Point de départ", de="Ausgangswert",
  ar="خط الأساس")
t("Due", es="Fecha límite", fr="Échéance", de="Fällig", ar="الموعد")
t("Area: ", es="Aspecto: ", fr="Point~: ", de="Bereich: ", ar="الجانب: ")
t("{% if goal.due_week %}Week {{ goal.due_week }}{% endif %}",
  es="{% if goal.due_week %}Semana {{ goal.due_week }}{% endif %}",
  fr="{% if goal.due_week %}Semaine {{ goal.due_week }}{% endif %}",
  de="{% if goal.due_week %}Woche {{ goal.due_week }}{% endif %}",
  ar="{% if goal.due_week %}الأسبوع {{ goal.due_week }}{% endif %}")
t("Milestones mark the progress expected along the way; they are reviewed at each check-in.",
  es="Los hitos marcan el progreso esperado a lo largo del plan y se revisan en cada "
     "reunión de seguimiento.",
  fr="Les jalons marquent les progrès attendus en cours de route\u202f; ils sont examinés à "
     "chaque point de suivi.",
  de="Meilensteine beschreiben die erwarteten Zwischenschritte; sie werden in jedem "
     "Feedbackgespräch besprochen.",
  ar="تحدد المراحل التقدم المتوقع على امتداد الخطة، وتجري مراجعتها في كل اجتماع متابعة.")
t("Goal {{ goal.number }}: ", es="Objetivo {{ goal.number }}: ",
  fr="Objectif {{ goal.number }}~: ", de="Ziel {{ goal.number }}: ",
  ar="الهدف {{ goal.number }}: ")
t("Plan week", es="Semana del plan", fr="Semaine du plan", de="Planwoche",
  ar="أسبوع الخطة")
t("By", es="A más tardar", fr="Au plus tard le", de="Bis", ar="في موعد أقصاه")
t("Milestone", es="Hito", fr="Jalon", de="Meilenstein", ar="المرحلة")
t("Week {{ m.week }}", es="Semana {{ m.week }}", fr="Semaine {{ m.week }}",
  de="Woche {{ m.week }}", ar="الأسبوع {{ m.week }}")
t("No milestones are set for this goal; progress is discussed at each check-in.",
  es="No se han fijado hitos para este objetivo; el progreso se comenta en cada reunión "
     "de seguimiento.",
  fr="Aucun jalon n’est fixé pour cet objectif\u202f; les progrès sont abordés à chaque point "
     "de suivi.",
  de="Für dieses Ziel sind keine Meilensteine festgelegt; der Fortschritt wird in jedem "
     "Feedbackgespräch besprochen.",
  ar="لم تُحدَّد مراحل لهذا الهدف، ويُناقَش التقدم في كل اجتماع متابعة.")

# -- support and timeline -------------------------------------------------------------------
t("Support and resources", es="Apoyo y recursos", fr="Soutien et ressources",
  de="Unterstützung und Ressourcen", ar="الدعم والموارد")
t("{% if company.name %}{{ company.name }}{% else %}Your employer{% endif %} will provide "
  "the following support during the plan. {{ employee.name }} is encouraged to ask for "
  "more help at any check-in.",
  es="{% if company.name %}{{ company.name }}{% else %}Su empresa{% endif %} proporcionará "
     "el siguiente apoyo durante el plan. Se anima a {{ employee.name }} a pedir más ayuda "
     "en cualquier reunión de seguimiento.",
  fr="{% if company.name %}{{ company.name }}{% else %}Votre employeur{% endif %} apportera "
     "le soutien suivant pendant la durée du plan. Lors de chaque point de suivi, "
     "{{ employee.name }} peut demander une aide supplémentaire, ce qui est vivement "
     "encouragé.",
  de="{% if company.name %}{{ company.name }}{% else %}Ihr Arbeitgeber{% endif %} bietet "
     "während des Plans die folgende Unterstützung. {{ employee.name }} kann in jedem "
     "Feedbackgespräch um weitere Unterstützung bitten und wird dazu ausdrücklich ermutigt.",
  ar="ستقدم {% if company.name %}{{ company.name }}{% else %}جهة العمل{% endif %} الدعم "
     "التالي خلال مدة الخطة. ونشجّع {{ employee.name }} على طلب المزيد من المساعدة في أي "
     "اجتماع متابعة.")
t("Type", es="Tipo", fr="Type", de="Art", ar="النوع")
t("Support provided", es="Apoyo ofrecido", fr="Soutien apporté", de="Unterstützung",
  ar="الدعم المقدَّم")
t("When", es="Cuándo", fr="Quand", de="Wann", ar="الموعد")
t("Support for this plan will be agreed at the first check-in.",
  es="El apoyo para este plan se acordará en la primera reunión de seguimiento.",
  fr="Le soutien prévu pour ce plan sera convenu lors du premier point de suivi.",
  de="Die Unterstützung für diesen Plan wird im ersten Feedbackgespräch vereinbart.",
  ar="سيُتَّفق على الدعم الخاص بهذه الخطة في أول اجتماع متابعة.")
t("Wellbeing and employee assistance", es="Bienestar y asistencia al empleado",
  fr="Bien-être et aide aux personnes salariées", de="Wohlbefinden und Unterstützungsangebote",
  ar="الرفاهية ومساعدة الموظفين")
t("Timeline", es="Calendario", fr="Calendrier", de="Zeitplan", ar="الجدول الزمني")
t("The plan lasts {{ timeline.length_days }} calendar days, from {{ timeline.start|weekday }} "
  "{{ timeline.start }} to {{ timeline.end|weekday }} {{ timeline.end }}. Progress is "
  "formally reviewed on the dates below; the final review closes the plan.",
  es="El plan dura {{ timeline.length_days }} días naturales, del "
     "{{ timeline.start|weekday }} {{ timeline.start }} al {{ timeline.end|weekday }} "
     "{{ timeline.end }}. El progreso se revisa formalmente en las fechas siguientes; la "
     "revisión final cierra el plan.",
  fr="Le plan dure {{ timeline.length_days }}~jours calendaires, du "
     "{{ timeline.start|weekday }} {{ timeline.start }} au {{ timeline.end|weekday }} "
     "{{ timeline.end }}. Les progrès font l’objet d’un bilan formel aux dates ci-dessous\u202f; "
     "le bilan final clôt le plan.",
  de="Der Plan dauert {{ timeline.length_days }} Kalendertage, von "
     "{{ timeline.start|weekday }}, {{ timeline.start }}, bis {{ timeline.end|weekday }}, "
     "{{ timeline.end }}. Der Fortschritt wird zu den unten genannten Terminen förmlich "
     "überprüft; das Abschlussgespräch beendet den Plan.",
  ar="تستمر الخطة {{ timeline.length_days }} يومًا تقويميًا، من يوم "
     "{{ timeline.start|weekday }} {{ timeline.start }} إلى يوم {{ timeline.end|weekday }} "
     "{{ timeline.end }}. ويُراجَع التقدم رسميًا في التواريخ أدناه، وتُختتم الخطة بالمراجعة "
     "النهائية.")
t("Event", es="Hito del plan", fr="Étape", de="Termin", ar="الحدث")
t("Plan starts", es="Inicio del plan", fr="Début du plan", de="Beginn des Plans",
  ar="بداية الخطة")
t("Week 1", es="Semana 1", fr="Semaine 1", de="Woche 1", ar="الأسبوع 1")
t("Week {{ r.week }}", es="Semana {{ r.week }}", fr="Semaine {{ r.week }}",
  de="Woche {{ r.week }}", ar="الأسبوع {{ r.week }}")
t("At each review {{ manager.name }} and HR go through the goals with {{ employee.name }} "
  "and confirm the result in writing.",
  es="En cada revisión, {{ manager.name }} y Recursos Humanos repasan los objetivos con "
     "{{ employee.name }} y confirman el resultado por escrito.",
  fr="À chaque bilan, {{ manager.name }} et les ressources humaines passent en revue les "
     "objectifs avec {{ employee.name }} et en confirment le résultat par écrit.",
  de="In jedem Gespräch gehen {{ manager.name }} und die Personalabteilung die Ziele mit "
     "{{ employee.name }} durch und bestätigen das Ergebnis schriftlich.",
  ar="في كل مراجعة، يستعرض {{ manager.name }} والموارد البشرية الأهداف مع "
     "{{ employee.name }}، ويُؤكَّد ما انتهت إليه المراجعة كتابيًا.")

# -- check-ins ------------------------------------------------------------------------------
t("Check-in schedule", es="Calendario de reuniones de seguimiento",
  fr="Calendrier des points de suivi", de="Termine der Feedbackgespräche",
  ar="جدول اجتماعات المتابعة")
t("Regular check-in meetings review progress against the milestones, agree next steps and "
  "adjust the support where needed.",
  es="En las reuniones periódicas de seguimiento se revisa el progreso respecto de los "
     "hitos, se acuerdan los siguientes pasos y se ajusta el apoyo cuando sea necesario.",
  fr="Des points de suivi réguliers permettent de faire le point sur les jalons, de convenir "
     "des prochaines étapes et d’ajuster le soutien si nécessaire.",
  de="In regelmäßigen Feedbackgesprächen werden die Fortschritte an den Meilensteinen "
     "gemessen, die nächsten Schritte vereinbart und die Unterstützung bei Bedarf angepasst.",
  ar="تُراجَع في اجتماعات المتابعة المنتظمة مدى التقدم قياسًا إلى المراحل، ويُتَّفق على "
     "الخطوات التالية، ويُعدَّل الدعم عند الحاجة.")
t("How often", es="Frecuencia", fr="Fréquence", de="Häufigkeit", ar="التكرار")
t("{{ checkins.cadence_label }}, on {{ checkins.weekday }}s",
  es="{{ checkins.cadence_label }} ({{ checkins.weekday }})",
  fr="{{ checkins.cadence_label }}, le {{ checkins.weekday }}",
  de="{{ checkins.cadence_label }}, jeweils am {{ checkins.weekday }}",
  ar="{{ checkins.cadence_label }}، يوم {{ checkins.weekday }}")
t("Time", es="Hora", fr="Heure", de="Uhrzeit", ar="الوقت")
t("{{ checkins.time }} ({{ checkins.timezone }} time), {{ checkins.duration_minutes }} minutes",
  es="{{ checkins.time }} (zona horaria {{ checkins.timezone }}), {{ checkins.duration_minutes }} "
     "minutos",
  fr="{{ checkins.time }} (fuseau horaire {{ checkins.timezone }}), "
     "{{ checkins.duration_minutes }}~minutes",
  de="{{ checkins.time }} Uhr (Zeitzone {{ checkins.timezone }}), "
     "{{ checkins.duration_minutes }} Minuten",
  ar="{{ checkins.time }} (بتوقيت {{ checkins.timezone }})، لمدة "
     "{{ checkins.duration_minutes }} دقيقة")
t("Video link", es="Enlace de videollamada", fr="Lien de visioconférence",
  de="Videolink", ar="رابط الاجتماع المرئي")
t("With", es="Con", fr="Avec", de="Mit", ar="مع")
t("Check-in calendar", es="Fechas de las reuniones de seguimiento",
  fr="Dates des points de suivi", de="Gesprächstermine", ar="مواعيد اجتماعات المتابعة")
t("Meeting", es="Reunión", fr="Réunion", de="Gespräch", ar="الاجتماع")
t("Times are local to {{ checkins.timezone }}. A meeting that has to move is rescheduled "
  "within the same week.",
  es="Las horas corresponden a la zona horaria {{ checkins.timezone }}. Si hay que cambiar "
     "una reunión, se reprograma dentro de la misma semana.",
  fr="Les heures sont celles du fuseau {{ checkins.timezone }}. Un point de suivi qui doit "
     "être déplacé est reprogrammé dans la même semaine.",
  de="Die Uhrzeiten gelten für die Zeitzone {{ checkins.timezone }}. Muss ein Gespräch "
     "verschoben werden, findet es in derselben Woche statt.",
  ar="الأوقات بتوقيت {{ checkins.timezone }}. وإذا تعيّن نقل أحد الاجتماعات، يُعاد تحديد "
     "موعده خلال الأسبوع نفسه.")
t("Check-in meetings will be scheduled by {{ manager.name }} at the start of the plan.",
  es="{{ manager.name }} fijará las reuniones de seguimiento al inicio del plan.",
  fr="{{ manager.name }} planifiera les points de suivi au début du plan.",
  de="{{ manager.name }} legt die Termine der Feedbackgespräche zu Beginn des Plans fest.",
  ar="سيحدد {{ manager.name }} مواعيد اجتماعات المتابعة في بداية الخطة.")

# -- outcomes, notes, signatures ------------------------------------------------------------
t("Possible outcomes", es="Posibles resultados", fr="Issues possibles",
  de="Mögliche Ergebnisse", ar="النتائج المحتملة")
t("At the final review on {{ timeline.end }}, {{ manager.name }} and HR will assess, against "
  "the measures in this plan, whether each goal has been met.{% if outcomes.success or "
  "outcomes.extension or outcomes.further_action %} The possible outcomes are:{% endif %}",
  es="En la revisión final del {{ timeline.end }}, {{ manager.name }} y Recursos Humanos "
     "valorarán, conforme a los indicadores de este plan, si se ha cumplido cada objetivo."
     "{% if outcomes.success or outcomes.extension or outcomes.further_action %} Los posibles "
     "resultados son:{% endif %}",
  fr="Lors du bilan final du {{ timeline.end }}, {{ manager.name }} et les ressources "
     "humaines évalueront, au regard des indicateurs du présent plan, si chaque objectif a "
     "été atteint.{% if outcomes.success or outcomes.extension or outcomes.further_action %}"
     " Les issues possibles sont les suivantes~:{% endif %}",
  de="Im Abschlussgespräch am {{ timeline.end }} beurteilen {{ manager.name }} und die "
     "Personalabteilung anhand der Messgrößen dieses Plans, ob jedes Ziel erreicht wurde."
     "{% if outcomes.success or outcomes.extension or outcomes.further_action %} Mögliche "
     "Ergebnisse sind:{% endif %}",
  ar="في المراجعة النهائية بتاريخ {{ timeline.end }}، يقيّم {{ manager.name }} والموارد "
     "البشرية، وفقًا لمؤشرات القياس الواردة في هذه الخطة، ما إذا كان كل هدف قد تحقق."
     "{% if outcomes.success or outcomes.extension or outcomes.further_action %} والنتائج "
     "المحتملة هي:{% endif %}")
t("Successful completion. ", es="Superación del plan. ", fr="Réussite du plan. ",
  de="Erfolgreicher Abschluss. ", ar="إتمام الخطة بنجاح. ")
t("Extension. ", es="Prórroga. ", fr="Prolongation. ", de="Verlängerung. ", ar="التمديد. ")
t("Further action. ", es="Otras medidas. ", fr="Suites à donner. ",
  de="Weitere Maßnahmen. ", ar="إجراءات أخرى. ")
t("{{ employee.name }} will be told the outcome in a meeting and in writing.",
  es="Se comunicará el resultado a {{ employee.name }} en una reunión y por escrito.",
  fr="L’issue sera communiquée à {{ employee.name }} lors d’un entretien et par écrit.",
  de="{{ employee.name }} wird das Ergebnis in einem Gespräch und schriftlich mitgeteilt.",
  ar="سيُبلَّغ {{ employee.name }} بالنتيجة في اجتماع وكتابيًا.")
t("Additional notes", es="Observaciones adicionales", fr="Remarques complémentaires",
  de="Weitere Hinweise", ar="ملاحظات إضافية")
t("Employee comments", es="Comentarios de la persona empleada",
  fr="Observations de la personne salariée", de="Anmerkungen der oder des Mitarbeitenden",
  ar="ملاحظات الموظف")
t("{{ employee.name }} may attach written comments to this plan, for example about the "
  "facts, the goals or the support offered. Comments become part of the plan record and "
  "are read by the manager and HR; adding them does not delay the plan.",
  es="{{ employee.name }} puede adjuntar comentarios por escrito a este plan, por ejemplo "
     "sobre los hechos, los objetivos o el apoyo ofrecido. Los comentarios pasan a formar "
     "parte del expediente del plan y los leen el responsable directo y Recursos Humanos; "
     "añadirlos no retrasa el plan.",
  fr="{{ employee.name }} peut joindre des observations écrites au présent plan, par exemple "
     "sur les faits, les objectifs ou le soutien proposé. Ces observations sont versées au "
     "dossier du plan et lues par le ou la responsable hiérarchique et les ressources "
     "humaines\u202f; elles ne retardent pas la mise en œuvre du plan.",
  de="{{ employee.name }} kann diesem Plan schriftliche Anmerkungen beifügen, etwa zu den "
     "Tatsachen, den Zielen oder der angebotenen Unterstützung. Die Anmerkungen werden Teil "
     "der Plandokumentation und von der Führungskraft und der Personalabteilung gelesen; "
     "sie verzögern den Plan nicht.",
  ar="يجوز لـ{{ employee.name }} إرفاق ملاحظات مكتوبة بهذه الخطة، بشأن الوقائع أو الأهداف أو "
     "الدعم المقدَّم مثلًا. وتصبح هذه الملاحظات جزءًا من سجل الخطة، ويطّلع عليها المدير "
     "المباشر والموارد البشرية، ولا يؤدي إرفاقها إلى تأخير الخطة.")
t("Raising concerns and appeals", es="Cómo plantear inquietudes y recursos",
  fr="Faire part d’une préoccupation ou former un recours",
  de="Bedenken und Beschwerden", ar="إبداء الملاحظات والتظلّم")
t("HR contact for this plan: {{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %}, "
  "{{ hr.email }}.",
  es="Contacto de Recursos Humanos para este plan: {{ hr.name }}{% if hr.title %}, "
     "{{ hr.title }}{% endif %}, {{ hr.email }}.",
  fr="Interlocuteur RH pour ce plan~: {{ hr.name }}{% if hr.title %}, {{ hr.title }}"
     "{% endif %}, {{ hr.email }}.",
  de="Ansprechperson der Personalabteilung für diesen Plan: {{ hr.name }}"
     "{% if hr.title %}, {{ hr.title }}{% endif %}, {{ hr.email }}.",
  ar="مسؤول الموارد البشرية لهذه الخطة: {{ hr.name }}{% if hr.title %}، {{ hr.title }}"
     "{% endif %}، {{ hr.email }}.")
t("Acknowledgement", es="Acuse de recibo", fr="Accusé de réception",
  de="Empfangsbestätigung", ar="إقرار بالاستلام")
t("Plan: ", es="Plan: ", fr="Plan~: ", de="Plan: ", ar="الخطة: ")
t("{{ plan.title }} for {{ employee.name }}, {{ timeline.start }} to {{ timeline.end }}",
  es="{{ plan.title }} de {{ employee.name }}, del {{ timeline.start }} al {{ timeline.end }}",
  fr="{{ plan.title }} concernant {{ employee.name }}, du {{ timeline.start }} au "
     "{{ timeline.end }}",
  de="{{ plan.title }} für {{ employee.name }}, {{ timeline.start }} bis {{ timeline.end }}",
  ar="{{ plan.title }} الخاصة بـ{{ employee.name }}، من {{ timeline.start }} إلى "
     "{{ timeline.end }}")
t("{% if plan.id %} (reference {{ plan.id }}){% endif %}.",
  es="{% if plan.id %} (referencia {{ plan.id }}){% endif %}.",
  fr="{% if plan.id %} (référence {{ plan.id }}){% endif %}.",
  de="{% if plan.id %} (Referenz {{ plan.id }}){% endif %}.",
  ar="{% if plan.id %} (المرجع {{ plan.id }}){% endif %}.")
t("By signing, the employee confirms that they have received this plan and that it has been "
  "explained to them. A signature confirms receipt and understanding only; it does not mean "
  "that the employee agrees with the contents. If the employee declines to sign, the plan "
  "still goes ahead as written, and the refusal to sign is recorded with the plan.",
  es="Con su firma, la persona empleada declara haber recibido este plan y que se le ha "
     "explicado. La firma se realiza a los solos efectos de acuse de recibo y de "
     "comprensión; no implica conformidad con su contenido. Si la persona empleada se niega "
     "a firmar, el plan se aplicará igualmente en los términos aquí recogidos y la negativa "
     "a firmar quedará registrada junto con el plan.",
  fr="Par sa signature, la personne salariée reconnaît avoir reçu le présent plan et en "
     "avoir reçu les explications. Cette signature vaut uniquement accusé de réception et "
     "attestation de compréhension\u202f; elle ne vaut pas acceptation de son contenu. Si la "
     "personne salariée refuse de signer, le plan s’applique néanmoins tel qu’il est rédigé, "
     "et le refus de signer est consigné avec le plan.",
  de="Mit der Unterschrift bestätigt die oder der Mitarbeitende, diesen Plan erhalten zu "
     "haben und dass er ihr oder ihm erläutert wurde. Die Unterschrift bestätigt "
     "ausschließlich den Empfang und die Kenntnisnahme; sie bedeutet kein Einverständnis mit "
     "dem Inhalt. Wird die Unterschrift verweigert, gilt der Plan dennoch wie hier "
     "festgelegt; die Verweigerung der Unterschrift wird zusammen mit dem Plan dokumentiert.",
  ar="يُقرّ الموظف بتوقيعه بأنه استلم هذه الخطة وبأنها شُرحت له. ويقتصر أثر التوقيع على "
     "إثبات الاستلام والفهم فقط، ولا يعني موافقة الموظف على مضمونها. وإذا امتنع الموظف عن "
     "التوقيع، تظل الخطة نافذة كما هي مكتوبة، ويُسجَّل الامتناع عن التوقيع مع الخطة.")
t("The manager and the HR representative sign to confirm that the plan has been discussed "
  "with the employee and that the company will provide the support it describes.",
  es="El responsable directo y el representante de Recursos Humanos firman para confirmar "
     "que el plan se ha tratado con la persona empleada y que la empresa proporcionará el "
     "apoyo que en él se describe.",
  fr="Le ou la responsable hiérarchique et la personne représentant les RH signent pour "
     "confirmer que le plan a été présenté et discuté avec la personne salariée et que "
     "l’entreprise apportera le soutien qui y est décrit.",
  de="Die Führungskraft und die Personalabteilung bestätigen mit ihrer Unterschrift, dass "
     "der Plan mit der oder dem Mitarbeitenden besprochen wurde und dass das Unternehmen die "
     "darin beschriebene Unterstützung leistet.",
  ar="يوقّع المدير المباشر وممثل الموارد البشرية تأكيدًا لمناقشة الخطة مع الموظف، ولالتزام "
     "جهة العمل بتقديم الدعم الموصوف فيها.")
t("Date: ", es="Fecha: ", fr="Date~: ", de="Datum: ", ar="التاريخ: ")
t("Page ", es="Página ", fr="Page ", de="Seite ", ar="صفحة ")
t(" of ", es=" de ", fr=" sur ", de=" von ", ar=" من ")
t("DRAFT: NOT FOR SIGNATURE", es="BORRADOR: NO APTO PARA FIRMA",
  fr="PROJET~: NE PAS SIGNER", de="ENTWURF: NICHT ZUR UNTERSCHRIFT",
  ar="مسودة: غير معدّة للتوقيع")
t("Confidential", es="Confidencial", fr="Confidentiel", de="Vertraulich", ar="سري")
t("Amendment {{ amendment.number }} of the plan of {{ amendment.plan_date }}",
  es="Adenda n.º~{{ amendment.number }} al plan del {{ amendment.plan_date }}",
  fr="Avenant n°~{{ amendment.number }} au plan du {{ amendment.plan_date }}",
  de="Änderung Nr.~{{ amendment.number }} zum Plan vom {{ amendment.plan_date }}",
  ar="التعديل رقم {{ amendment.number }} على الخطة المؤرخة {{ amendment.plan_date }}")

# -- sales.docx -----------------------------------------------------------------------------
t("Sales performance: {{ employee.name }}",
  es="Desempeño comercial: {{ employee.name }}",
  fr="Performances commerciales~: {{ employee.name }}",
  de="Vertriebsleistung: {{ employee.name }}",
  ar="الأداء في المبيعات: {{ employee.name }}")
t("{{ timeline.start|nobreak }} to {{ timeline.end|nobreak }}",
  es="del {{ timeline.start|nobreak }} al {{ timeline.end|nobreak }}",
  fr="du {{ timeline.start|nobreak }} au {{ timeline.end|nobreak }}",
  de="{{ timeline.start|nobreak }} bis {{ timeline.end|nobreak }}",
  ar="من {{ timeline.start|nobreak }} إلى {{ timeline.end|nobreak }}")
t("Employee ID {{ employee.employee_id }}", es="N.º de empleado {{ employee.employee_id }}",
  fr="Matricule {{ employee.employee_id }}", de="Personalnummer {{ employee.employee_id }}",
  ar="الرقم الوظيفي {{ employee.employee_id }}")
t("Plan period", es="Periodo del plan", fr="Période du plan", de="Planzeitraum",
  ar="مدة الخطة")
t("{{ timeline.start }} to {{ timeline.end }}",
  es="del {{ timeline.start }} al {{ timeline.end }}",
  fr="du {{ timeline.start }} au {{ timeline.end }}",
  de="{{ timeline.start }} bis {{ timeline.end }}",
  ar="من {{ timeline.start }} إلى {{ timeline.end }}")
t("{{ timeline.length_days }} days, plan weeks 1 to {{ timeline.weeks }}",
  es="{{ timeline.length_days }} días, semanas 1 a {{ timeline.weeks }} del plan",
  fr="{{ timeline.length_days }}~jours, semaines 1 à {{ timeline.weeks }} du plan",
  de="{{ timeline.length_days }} Tage, Planwochen 1 bis {{ timeline.weeks }}",
  ar="{{ timeline.length_days }} يومًا، الأسابيع من 1 إلى {{ timeline.weeks }} من الخطة")
t("Role", es="Puesto", fr="Poste", de="Stelle", ar="الوظيفة")
t("Employment", es="Relación laboral", fr="Contrat", de="Beschäftigung", ar="التوظيف")
t("{% if employee.employment_type %}{{ employee.employment_type }}{% elif employee.location %}"
  "Based in {{ employee.location }}{% elif employee.hire_date %}Hired {{ employee.hire_date }}"
  "{% else %}—{% endif %}",
  es="{% if employee.employment_type %}{{ employee.employment_type }}{% elif employee.location %}"
     "Centro de trabajo: {{ employee.location }}{% elif employee.hire_date %}Incorporación: "
     "{{ employee.hire_date }}{% else %}—{% endif %}",
  fr="{% if employee.employment_type %}{{ employee.employment_type }}{% elif employee.location %}"
     "Lieu de travail~: {{ employee.location }}{% elif employee.hire_date %}Date d’embauche~: "
     "{{ employee.hire_date }}{% else %}—{% endif %}",
  de="{% if employee.employment_type %}{{ employee.employment_type }}{% elif employee.location %}"
     "Arbeitsort {{ employee.location }}{% elif employee.hire_date %}Eintritt am "
     "{{ employee.hire_date }}{% else %}—{% endif %}",
  ar="{% if employee.employment_type %}{{ employee.employment_type }}{% elif employee.location %}"
     "مكان العمل: {{ employee.location }}{% elif employee.hire_date %}تاريخ التعيين: "
     "{{ employee.hire_date }}{% else %}—{% endif %}")
t("Based in {{ employee.location }}", es="Centro de trabajo: {{ employee.location }}",
  fr="Lieu de travail~: {{ employee.location }}", de="Arbeitsort {{ employee.location }}",
  ar="مكان العمل: {{ employee.location }}")
t("Hired {{ employee.hire_date }}", es="Incorporación: {{ employee.hire_date }}",
  fr="Date d’embauche~: {{ employee.hire_date }}", de="Eintritt am {{ employee.hire_date }}",
  ar="تاريخ التعيين: {{ employee.hire_date }}")
t("This plan sets out the results {{ employee.name }} needs to reach between "
  "{{ timeline.start }} and {{ timeline.end }}, how they will be measured and the coaching "
  "and support {{ company.reference }} will provide. Its aim is to help {{ employee.name }} "
  "succeed in the role.",
  es="Este plan recoge los resultados que {{ employee.name }} debe alcanzar entre el "
     "{{ timeline.start }} y el {{ timeline.end }}, cómo se medirán y el acompañamiento y el "
     "apoyo que proporcionará {{ company.reference }}. Su finalidad es ayudar a "
     "{{ employee.name }} a desempeñar el puesto con éxito.",
  fr="Le présent plan fixe les résultats à atteindre par {{ employee.name }} entre le "
     "{{ timeline.start }} et le {{ timeline.end }}, la manière dont ils seront mesurés ainsi "
     "que l’accompagnement et le soutien qu’apportera {{ company.reference }}. Il a pour but "
     "d’aider {{ employee.name }} à réussir dans son poste.",
  de="Dieser Plan legt fest, welche Ergebnisse {{ employee.name }} zwischen dem "
     "{{ timeline.start }} und dem {{ timeline.end }} erreichen muss, wie sie gemessen werden "
     "und welches Coaching und welche Unterstützung {{ company.reference }} bietet. Ziel ist "
     "es, {{ employee.name }} dabei zu unterstützen, die Stelle erfolgreich auszufüllen.",
  ar="تحدد هذه الخطة النتائج التي يتعين على {{ employee.name }} تحقيقها بين "
     "{{ timeline.start }} و{{ timeline.end }}، وكيف ستُقاس، والتوجيه والدعم اللذين ستقدمهما "
     "{{ company.reference }}. والهدف منها مساعدة {{ employee.name }} على النجاح في وظيفته.")
t("Role and reporting line", es="Puesto y dependencia jerárquica",
  fr="Poste et rattachement hiérarchique", de="Stelle und Berichtslinie",
  ar="الوظيفة والتسلسل الإداري")
t("{{ employee.name }} reports to {{ manager.name }}{% if manager.title %}, "
  "{{ manager.title }}{% endif %}. HR contact: {{ hr.name }}{% if hr.title %}, "
  "{{ hr.title }}{% endif %} ({{ hr.email }}).",
  es="{{ employee.name }} depende de {{ manager.name }}{% if manager.title %}, "
     "{{ manager.title }}{% endif %}. Contacto de Recursos Humanos: {{ hr.name }}"
     "{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  fr="{{ employee.name }} a pour responsable hiérarchique {{ manager.name }}"
     "{% if manager.title %}, {{ manager.title }}{% endif %}. Contact RH~: {{ hr.name }}"
     "{% if hr.title %}, {{ hr.title }}{% endif %} ({{ hr.email }}).",
  de="{{ employee.name }} berichtet an {{ manager.name }}{% if manager.title %}, "
     "{{ manager.title }}{% endif %}. Ansprechperson HR: {{ hr.name }}{% if hr.title %}, "
     "{{ hr.title }}{% endif %} ({{ hr.email }}).",
  ar="يتبع {{ employee.name }} إداريًا {{ manager.name }}{% if manager.title %}، "
     "{{ manager.title }}{% endif %}. مسؤول الموارد البشرية: {{ hr.name }}{% if hr.title %}، "
     "{{ hr.title }}{% endif %} ({{ hr.email }}).")
t("Quota attainment", es="Cumplimiento de cuota", fr="Atteinte des objectifs commerciaux",
  de="Quotenerreichung", ar="تحقيق الحصة المستهدفة")
t("Results for {{ history.start }} to {{ history.end }}, from the sales system of record. "
  "Attainment is the actual result as a share of the quota or target.",
  es="Resultados del {{ history.start }} al {{ history.end }}, según el sistema de ventas "
     "de referencia. El cumplimiento es el resultado obtenido en porcentaje de la cuota o "
     "de la meta.",
  fr="Résultats du {{ history.start }} au {{ history.end }}, issus du système de suivi "
     "commercial de référence. Le taux d’atteinte est le résultat réalisé rapporté au quota "
     "ou à l’objectif.",
  de="Ergebnisse vom {{ history.start }} bis {{ history.end }} laut dem maßgeblichen "
     "Vertriebssystem. Die Zielerreichung ist der Ist-Wert im Verhältnis zu Quote oder "
     "Zielwert.",
  ar="النتائج من {{ history.start }} إلى {{ history.end }}، وفق نظام المبيعات المعتمد. ونسبة "
     "الإنجاز هي النتيجة الفعلية منسوبةً إلى الحصة أو المستهدف.")
t("Metric", es="Indicador", fr="Indicateur", de="Kennzahl", ar="المؤشر")
t("Quota / target", es="Cuota / meta", fr="Quota / objectif", de="Quote / Ziel",
  ar="الحصة / المستهدف")
t("No measured results are recorded for {{ history.start }} to {{ history.end }}.",
  es="No constan resultados medidos del {{ history.start }} al {{ history.end }}.",
  fr="Aucun résultat mesuré n’est consigné du {{ history.start }} au {{ history.end }}.",
  de="Für den Zeitraum vom {{ history.start }} bis {{ history.end }} sind keine gemessenen "
     "Ergebnisse erfasst.",
  ar="لا توجد نتائج مقيسة مسجلة للفترة من {{ history.start }} إلى {{ history.end }}.")
t("Summary", es="Resumen", fr="Synthèse", de="Zusammenfassung", ar="ملخص")
t("What happened and what was agreed", es="Hechos y acuerdos",
  fr="Faits et engagements pris", de="Was geschah und was vereinbart wurde",
  ar="ما حدث وما اتُّفق عليه")
t("Areas for improvement and evidence", es="Aspectos que deben mejorar y hechos",
  fr="Points à améliorer et faits constatés", de="Verbesserungsbereiche und Belege",
  ar="جوانب التحسين والوقائع")
t(" (Source: {{ e.source }})", es=" (Fuente: {{ e.source }})",
  fr=" (source~: {{ e.source }})", de=" (Quelle: {{ e.source }})",
  ar=" (المصدر: {{ e.source }})")
t("Goals for the plan", es="Objetivos del plan", fr="Objectifs du plan",
  de="Ziele des Plans", ar="أهداف الخطة")
t("{% if plan.lint_passed %}Each goal is measured as stated and is due within the plan "
  "period. {% endif %}Week 1 is the seven days from {{ timeline.start }}; milestones are "
  "checked at the check-ins.",
  es="{% if plan.lint_passed %}Cada objetivo se mide tal como se indica y vence dentro del "
     "periodo del plan. {% endif %}La semana 1 son los siete días a partir del "
     "{{ timeline.start }}; los hitos se revisan en las reuniones de seguimiento.",
  fr="{% if plan.lint_passed %}Chaque objectif est mesuré comme indiqué et son échéance "
     "tombe dans la période du plan. {% endif %}La semaine 1 correspond aux sept jours à "
     "compter du {{ timeline.start }}\u202f; les jalons sont vérifiés lors des points de suivi.",
  de="{% if plan.lint_passed %}Jedes Ziel wird wie angegeben gemessen und ist innerhalb des "
     "Planzeitraums fällig. {% endif %}Woche 1 sind die sieben Tage ab dem "
     "{{ timeline.start }}; die Meilensteine werden in den Feedbackgesprächen überprüft.",
  ar="{% if plan.lint_passed %}يُقاس كل هدف على النحو المبيَّن، ويحل موعده خلال مدة الخطة. "
     "{% endif %}الأسبوع 1 هو الأيام السبعة ابتداءً من {{ timeline.start }}، وتُراجَع المراحل "
     "في اجتماعات المتابعة.")
t("Goal {{ goal.number }}", es="Objetivo {{ goal.number }}", fr="Objectif {{ goal.number }}",
  de="Ziel {{ goal.number }}", ar="الهدف {{ goal.number }}")
t("Starting point", es="Punto de partida", fr="Point de départ", de="Ausgangslage",
  ar="نقطة البداية")
t("{{ goal.due|weekday }} {{ goal.due }}{% if goal.due_week %} (week {{ goal.due_week }})"
  "{% endif %}",
  es="{{ goal.due|weekday }} {{ goal.due }}{% if goal.due_week %} (semana {{ goal.due_week }})"
     "{% endif %}",
  fr="{{ goal.due|weekday }} {{ goal.due }}{% if goal.due_week %} (semaine "
     "{{ goal.due_week }}){% endif %}",
  de="{{ goal.due|weekday }}, {{ goal.due }}{% if goal.due_week %} (Woche {{ goal.due_week }})"
     "{% endif %}",
  ar="{{ goal.due|weekday }} {{ goal.due }}{% if goal.due_week %} (الأسبوع {{ goal.due_week }})"
     "{% endif %}")
t("Area", es="Aspecto", fr="Point", de="Bereich", ar="الجانب")
# German nouns keep their capital: no |lower there.
t("Goal {{ goal.number }}: {{ milestones.heading|lower }}",
  es="Objetivo {{ goal.number }}: {{ milestones.heading|lower }}",
  fr="Objectif {{ goal.number }}~: {{ milestones.heading|lower }}",
  de="Ziel {{ goal.number }}: {{ milestones.heading }}",
  ar="الهدف {{ goal.number }}: {{ milestones.heading }}")
t("Week", es="Semana", fr="Semaine", de="Woche", ar="الأسبوع")
t("Coaching and support", es="Acompañamiento y apoyo", fr="Accompagnement et soutien",
  de="Coaching und Unterstützung", ar="التوجيه والدعم")
t("{% if company.name %}{{ company.name }}{% else %}Your employer{% endif %} commits to the "
  "following during the plan:",
  es="{% if company.name %}{{ company.name }}{% else %}Su empresa{% endif %} se compromete "
     "a lo siguiente durante el plan:",
  fr="{% if company.name %}{{ company.name }}{% else %}Votre employeur{% endif %} s’engage "
     "à apporter ce qui suit pendant la durée du plan~:",
  de="{% if company.name %}{{ company.name }}{% else %}Ihr Arbeitgeber{% endif %} sagt für "
     "die Dauer des Plans Folgendes zu:",
  ar="تلتزم {% if company.name %}{{ company.name }}{% else %}جهة العمل{% endif %} بما يلي "
     "خلال مدة الخطة:")
t("Check-ins and reviews", es="Seguimiento y revisiones", fr="Points de suivi et bilans",
  de="Feedback- und Zwischengespräche", ar="اجتماعات المتابعة والمراجعات")
t("{{ checkins.cadence_label }}, on {{ checkins.weekday }}s at {{ checkins.time }} "
  "({{ checkins.timezone }} time), {{ checkins.duration_minutes }} minutes",
  es="{{ checkins.cadence_label }} ({{ checkins.weekday }}) a las {{ checkins.time }} "
     "(zona horaria {{ checkins.timezone }}), {{ checkins.duration_minutes }} minutos",
  fr="{{ checkins.cadence_label }}, le {{ checkins.weekday }} à {{ checkins.time }} "
     "(fuseau horaire {{ checkins.timezone }}), {{ checkins.duration_minutes }}~minutes",
  de="{{ checkins.cadence_label }}, jeweils am {{ checkins.weekday }} um {{ checkins.time }} Uhr "
     "(Zeitzone {{ checkins.timezone }}), {{ checkins.duration_minutes }} Minuten",
  ar="{{ checkins.cadence_label }}، يوم {{ checkins.weekday }} الساعة {{ checkins.time }} "
     "(بتوقيت {{ checkins.timezone }})، لمدة {{ checkins.duration_minutes }} دقيقة")
t("Where", es="Lugar", fr="Lieu", de="Ort", ar="المكان")
t("Reviews", es="Revisiones", fr="Bilans", de="Gespräche", ar="المراجعات")
t("{% for r in timeline.reviews %}{{ r.label }}: {{ r.date|weekday }} {{ r.date }} "
  "(week {{ r.week }}){% if not loop.last %}; {% endif %}{% endfor %}",
  es="{% for r in timeline.reviews %}{{ r.label }}: {{ r.date|weekday }} {{ r.date }} "
     "(semana {{ r.week }}){% if not loop.last %}; {% endif %}{% endfor %}",
  fr="{% for r in timeline.reviews %}{{ r.label }}~: {{ r.date|weekday }} {{ r.date }} "
     "(semaine {{ r.week }}){% if not loop.last %}\u202f; {% endif %}{% endfor %}",
  de="{% for r in timeline.reviews %}{{ r.label }}: {{ r.date|weekday }}, {{ r.date }} "
     "(Woche {{ r.week }}){% if not loop.last %}; {% endif %}{% endfor %}",
  ar="{% for r in timeline.reviews %}{{ r.label }}: {{ r.date|weekday }} {{ r.date }} "
     "(الأسبوع {{ r.week }}){% if not loop.last %}؛ {% endif %}{% endfor %}")
t("What happens at the end of the plan", es="Qué ocurre al final del plan",
  fr="À l’issue du plan", de="Was am Ende des Plans geschieht", ar="ما يحدث في نهاية الخطة")

# -- the outcome letters (templates/letters/outcome-*.docx) ---------------------------------
# A letter to the employee: formal address (usted, vous, Sie; Arabic's respectful plural),
# the signature a receipt, never agreement. Counts read without agreeing with their noun
# ("Points de suivi tenus : 4 sur 5"), and the extension's length is the context's
# letter.extension.days_text, written by the language's plural rules (docgen.doclang).
_OUTCOME = {"es": "Resultado de su plan de mejora del desempeño: ",
            "fr": "Issue de votre plan d’amélioration des performances~: ",
            "de": "Ergebnis Ihres Leistungsverbesserungsplans: ",
            "ar": "نتيجة خطة تحسين الأداء الخاصة بكم: "}
LETTER_TITLES = {
    "outcome-successful": {
        "es": _OUTCOME["es"] + "completado satisfactoriamente",
        "fr": _OUTCOME["fr"] + "plan mené à bien",
        "de": _OUTCOME["de"] + "erfolgreich abgeschlossen",
        "ar": _OUTCOME["ar"] + "اكتملت بنجاح"},
    "outcome-extension": {
        "es": _OUTCOME["es"] + "prórroga",
        "fr": _OUTCOME["fr"] + "prolongation",
        "de": _OUTCOME["de"] + "Verlängerung",
        "ar": _OUTCOME["ar"] + "تمديد الخطة"},
    "outcome-not-met": {
        "es": _OUTCOME["es"] + "objetivos no alcanzados",
        "fr": _OUTCOME["fr"] + "objectifs non atteints",
        "de": _OUTCOME["de"] + "Ziele nicht erreicht",
        "ar": _OUTCOME["ar"] + "لم تتحقق الأهداف"},
}
for _name, _english in (("outcome-successful", "completed"), ("outcome-extension", "extended"),
                        ("outcome-not-met", "goals not met")):
    t(f"Outcome of your Performance Improvement Plan: {_english}",
      **LETTER_TITLES[_name])
t("To", es="Destinatario", fr="Destinataire", de="An", ar="إلى")
t("From", es="De", fr="De la part de", de="Von", ar="من")
t("Plan", es="Plan", fr="Plan", de="Plan", ar="الخطة")
t("{{ manager.name }}{% if manager.title %}, {{ manager.title }}{% endif %} and {{ hr.name }}"
  "{% if hr.title %}, {{ hr.title }}{% endif %}",
  es="{{ manager.name }}{% if manager.title %}, {{ manager.title }}{% endif %} y "
     "{{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %}",
  fr="{{ manager.name }}{% if manager.title %}, {{ manager.title }}{% endif %} et "
     "{{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %}",
  de="{{ manager.name }}{% if manager.title %}, {{ manager.title }}{% endif %} und "
     "{{ hr.name }}{% if hr.title %}, {{ hr.title }}{% endif %}",
  ar="{{ manager.name }}{% if manager.title %}، {{ manager.title }}{% endif %}، و"
     "{{ hr.name }}{% if hr.title %}، {{ hr.title }}{% endif %}")
t("{{ plan.title }}, {{ timeline.start }} to {{ letter.end }}{% if plan.id %} (reference "
  "{{ plan.id }}){% endif %}",
  es="{{ plan.title }}, del {{ timeline.start }} al {{ letter.end }}{% if plan.id %} "
     "(referencia {{ plan.id }}){% endif %}",
  fr="{{ plan.title }}, du {{ timeline.start }} au {{ letter.end }}{% if plan.id %} "
     "(référence {{ plan.id }}){% endif %}",
  de="{{ plan.title }}, {{ timeline.start }} bis {{ letter.end }}{% if plan.id %} "
     "(Referenz {{ plan.id }}){% endif %}",
  ar="{{ plan.title }}، من {{ timeline.start }} إلى {{ letter.end }}{% if plan.id %} "
     "(المرجع {{ plan.id }}){% endif %}")
# French writes to a person it does not know by sex "Madame, Monsieur," (the letter
# names them in its "Destinataire" line); German "Guten Tag" with the full name.
t("Dear {{ employee.name }},", es="Estimado/a {{ employee.name }}:", fr="Madame, Monsieur,",
  de="Guten Tag {{ employee.name }},",
  ar="السيد/السيدة {{ employee.name }} المحترم/ة، تحية طيبة وبعد،")
_REVIEW = {
    "es": "En la revisión final, {{ manager.name }} y el departamento de Recursos Humanos "
          "evaluaron cada objetivo con arreglo a la medida que el plan establecía para él. ",
    "fr": "Lors du bilan final, {{ manager.name }} et les ressources humaines ont évalué "
          "chaque objectif au regard de l’indicateur fixé par le plan. ",
    "de": "Im Abschlussgespräch haben {{ manager.name }} und die Personalabteilung jedes Ziel "
          "anhand des im Plan dafür festgelegten Maßstabs bewertet. ",
    "ar": "وفي المراجعة النهائية، قيّم {{ manager.name }} والموارد البشرية كل هدف وفق المقياس "
          "الذي حددته الخطة له. ",
}
_ENGLISH_REVIEW = ("At the final review, {{ manager.name }} and HR assessed each goal against "
                   "the measure the plan set for it. ")
t("Your Performance Improvement Plan ended on {{ letter.end }}. " + _ENGLISH_REVIEW
  + "The goals were met, and the plan is completed successfully.",
  es="Su plan de mejora del desempeño finalizó el {{ letter.end }}. " + _REVIEW["es"]
     + "Los objetivos se han alcanzado y el plan se da por completado satisfactoriamente.",
  fr="Votre plan d’amélioration des performances a pris fin le {{ letter.end }}. "
     + _REVIEW["fr"] + "Les objectifs ont été atteints et le plan est mené à bien.",
  de="Ihr Leistungsverbesserungsplan endete am {{ letter.end }}. " + _REVIEW["de"]
     + "Die Ziele wurden erreicht; der Plan ist damit erfolgreich abgeschlossen.",
  ar="انتهت خطة تحسين الأداء الخاصة بكم في {{ letter.end }}. " + _REVIEW["ar"]
     + "وقد تحققت الأهداف، واكتملت الخطة بنجاح.")
t("Your Performance Improvement Plan was due to end on {{ letter.end }}. " + _ENGLISH_REVIEW
  + "There is clear progress, but not every goal is met yet, so the plan is extended by "
  "{{ letter.extension.days_text }}, to {{ letter.extension.new_end }}.",
  es="Su plan de mejora del desempeño debía finalizar el {{ letter.end }}. " + _REVIEW["es"]
     + "Se aprecia un progreso claro, pero todavía no se han alcanzado todos los objetivos, "
     "por lo que el plan se prorroga {{ letter.extension.days_text }}, hasta el "
     "{{ letter.extension.new_end }}.",
  fr="Votre plan d’amélioration des performances devait prendre fin le {{ letter.end }}. "
     + _REVIEW["fr"] + "Des progrès nets ont été constatés, mais tous les objectifs ne sont "
     "pas encore atteints\u202f; le plan est donc prolongé de "
     "{{ letter.extension.days_text }}, jusqu’au {{ letter.extension.new_end }}.",
  de="Ihr Leistungsverbesserungsplan sollte am {{ letter.end }} enden. " + _REVIEW["de"]
     + "Es sind deutliche Fortschritte erkennbar, doch noch nicht alle Ziele sind erreicht; "
     "der Plan wird daher um {{ letter.extension.days_text }} bis zum "
     "{{ letter.extension.new_end }} verlängert.",
  ar="كان من المقرر أن تنتهي خطة تحسين الأداء الخاصة بكم في {{ letter.end }}. "
     + _REVIEW["ar"] + "وقد تبيّن تقدّم واضح، غير أن الأهداف لم تتحقق كلها بعد، ولذلك "
     "مُدّدت الخطة لمدة {{ letter.extension.days_text }}، حتى {{ letter.extension.new_end }}.")
t("Your Performance Improvement Plan ended on {{ letter.end }}. " + _ENGLISH_REVIEW
  + "The goals of the plan were not met.",
  es="Su plan de mejora del desempeño finalizó el {{ letter.end }}. " + _REVIEW["es"]
     + "Los objetivos del plan no se han alcanzado.",
  fr="Votre plan d’amélioration des performances a pris fin le {{ letter.end }}. "
     + _REVIEW["fr"] + "Les objectifs du plan n’ont pas été atteints.",
  de="Ihr Leistungsverbesserungsplan endete am {{ letter.end }}. " + _REVIEW["de"]
     + "Die Ziele des Plans wurden nicht erreicht.",
  ar="انتهت خطة تحسين الأداء الخاصة بكم في {{ letter.end }}. " + _REVIEW["ar"]
     + "ولم تتحقق أهداف الخطة.")
# Only the employee signs a letter: it states whose decision it records, and when.
t("The outcome was proposed by {{ letter.proposed_by }} on {{ letter.proposed_on }} and "
  "approved by {{ letter.approved_by }} on {{ letter.approved_on }}.",
  es="Este resultado fue propuesto por {{ letter.proposed_by }} el "
     "{{ letter.proposed_on }} y aprobado por {{ letter.approved_by }} el "
     "{{ letter.approved_on }}.",
  fr="Cette issue a été proposée par {{ letter.proposed_by }} le {{ letter.proposed_on }} "
     "et approuvée par {{ letter.approved_by }} le {{ letter.approved_on }}.",
  de="Dieses Ergebnis wurde am {{ letter.proposed_on }} von {{ letter.proposed_by }} "
     "vorgeschlagen und am {{ letter.approved_on }} von {{ letter.approved_by }} genehmigt.",
  ar="اقترح هذه النتيجةَ {{ letter.proposed_by }} في {{ letter.proposed_on }}، واعتمدها "
     "{{ letter.approved_by }} في {{ letter.approved_on }}.")
t("{{ letter.checkins_held }} of the {{ letter.checkins_scheduled }} check-ins scheduled were "
  "held; the record of each, with your acknowledgements and comments, is part of the plan's "
  "case file, which you can ask HR for.",
  es="Reuniones de seguimiento celebradas: {{ letter.checkins_held }} de "
     "{{ letter.checkins_scheduled }} previstas. El acta de cada una, con sus acuses de "
     "recibo y comentarios, forma parte del expediente del plan, que puede solicitar a "
     "Recursos Humanos.",
  fr="Points de suivi tenus~: {{ letter.checkins_held }} sur {{ letter.checkins_scheduled }} "
     "prévus. Le compte rendu de chacun, avec vos accusés de réception et vos observations, "
     "fait partie du dossier du plan, que vous pouvez demander aux ressources humaines.",
  de="Durchgeführte Feedbackgespräche: {{ letter.checkins_held }} von "
     "{{ letter.checkins_scheduled }} geplanten. Das Protokoll jedes Gesprächs mit Ihren "
     "Empfangsbestätigungen und Anmerkungen ist Teil der Fallakte des Plans, die Sie bei der "
     "Personalabteilung anfordern können.",
  ar="عدد اجتماعات المتابعة التي عُقدت: {{ letter.checkins_held }} من أصل "
     "{{ letter.checkins_scheduled }}. ويُعدّ محضر كل اجتماع، بما فيه إقراراتكم بالاستلام "
     "وتعليقاتكم، جزءًا من ملف الخطة، ويمكنكم طلبه من الموارد البشرية.")
t("Each goal: result and evidence", es="Resultado de cada objetivo y evidencias",
  fr="Résultat et éléments probants pour chaque objectif", de="Ergebnis und Nachweise je Ziel",
  ar="نتيجة كل هدف والأدلة عليها")
t("Goal and target", es="Objetivo y meta", fr="Objectif et cible", de="Ziel und Zielwert",
  ar="الهدف والمستهدف")
t("Result", es="Resultado", fr="Résultat", de="Ergebnis", ar="النتيجة")
t("Assessment", es="Valoración", fr="Évaluation", de="Bewertung", ar="التقييم")
t("Target: ", es="Meta: ", fr="Cible~: ", de="Zielwert: ", ar="المستهدف: ")
t("Evidence: ", es="Evidencias: ", fr="Éléments probants~: ", de="Nachweis: ", ar="الدليل: ")
t("What happens next", es="Próximos pasos", fr="Suite donnée au plan", de="Wie es weitergeht",
  ar="الخطوات التالية")
t("What happens during the extension", es="Qué ocurre durante la prórroga",
  fr="Déroulement de la prolongation", de="Was während der Verlängerung geschieht",
  ar="ما يحدث خلال فترة التمديد")
t("Why the plan is extended: ", es="Motivo de la prórroga: ",
  fr="Motif de la prolongation~: ", de="Grund für die Verlängerung: ",
  ar="سبب تمديد الخطة: ")
t("The check-ins continue as before until {{ letter.extension.new_end }}; if the goals "
  "changed, the amended plan is sent to you to acknowledge, and the original plan stays part "
  "of the record.",
  es="Las reuniones de seguimiento continúan como hasta ahora hasta el "
     "{{ letter.extension.new_end }}. Si los objetivos han cambiado, se le enviará el plan "
     "modificado para que acuse recibo de él, y el plan original sigue formando parte del "
     "expediente.",
  fr="Les points de suivi se poursuivent comme auparavant jusqu’au "
     "{{ letter.extension.new_end }}. Si les objectifs ont été modifiés, le plan modifié vous "
     "est adressé pour accusé de réception, et le plan initial reste versé au dossier.",
  de="Die Feedbackgespräche finden bis zum {{ letter.extension.new_end }} wie bisher statt. "
     "Wurden die Ziele geändert, erhalten Sie den geänderten Plan zur Empfangsbestätigung; "
     "der ursprüngliche Plan bleibt Teil der Unterlagen.",
  ar="تستمر اجتماعات المتابعة كما كانت حتى {{ letter.extension.new_end }}. وإذا عُدّلت "
     "الأهداف، فستُرسل إليكم الخطة المعدّلة للإقرار باستلامها، وتبقى الخطة الأصلية جزءًا من "
     "السجل.")
t("As the plan stated: ", es="Según lo previsto en el plan: ",
  fr="Comme le prévoyait le plan~: ", de="Wie im Plan festgelegt: ", ar="كما نصّت الخطة: ")
t("Questions and concerns", es="Preguntas e inquietudes", fr="Questions et préoccupations",
  de="Fragen und Bedenken", ar="الأسئلة والملاحظات")
t("By signing, the employee confirms that they have received this letter. A signature "
  "confirms receipt only; it does not mean agreement with its contents, and the employee may "
  "add written comments, which become part of the record.",
  es="Con su firma, la persona empleada declara haber recibido esta carta. La firma se "
     "realiza a los solos efectos de acuse de recibo; no implica conformidad con su "
     "contenido, y la persona empleada puede añadir comentarios por escrito, que se "
     "incorporarán al expediente.",
  fr="Par sa signature, la personne salariée reconnaît avoir reçu la présente lettre. Cette "
     "signature vaut uniquement accusé de réception\u202f; elle ne vaut pas acceptation de "
     "son contenu, et la personne salariée peut y joindre des observations écrites, qui sont "
     "versées au dossier.",
  de="Mit der Unterschrift bestätigt die oder der Mitarbeitende, dieses Schreiben erhalten zu "
     "haben. Die Unterschrift bestätigt ausschließlich den Empfang; sie bedeutet kein "
     "Einverständnis mit dem Inhalt. Schriftliche Anmerkungen können beigefügt werden und "
     "werden Teil der Unterlagen.",
  ar="يُقرّ الموظف بتوقيعه بأنه استلم هذا الخطاب. ويقتصر أثر التوقيع على إثبات الاستلام "
     "فقط، ولا يعني الموافقة على مضمونه، ويحق للموظف إضافة تعليقات مكتوبة تصبح جزءًا من "
     "السجل.")

# Document properties (docProps/core.xml), plain text.
TITLES = {"es": "Plan de mejora del desempeño",
          "fr": "Plan d’amélioration des performances",
          "de": "Leistungsverbesserungsplan", "ar": "خطة تحسين الأداء"}
