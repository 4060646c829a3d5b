"""The response templates a review team starts from, one per structured reason and decision;
edited in the admin afterwards."""

from django.db import migrations

DEFAULTS = [
    (
        "information",
        "no_proof",
        "No proof: ask for the right file",
        "The proof of execution for {product} ({reference}) does not show the work for this "
        "customer: the file looks wrong or unrelated. Please upload the signed proof of the "
        "engagement by {deadline}.",
        "Důkaz o provedení pro {product} ({reference}) nedokládá práci pro tohoto zákazníka: "
        "soubor se zdá chybný nebo nesouvisející. Nahrajte prosím podepsaný důkaz o spolupráci "
        "do {deadline}.",
    ),
    (
        "information",
        "no_signature",
        "No signature: ask for a signed proof",
        "The proof for {product} ({reference}) carries no signature or acknowledgement of the "
        "customer. Please upload a version signed by the customer's contact by {deadline}.",
        "Důkaz pro {product} ({reference}) nemá podpis ani potvrzení zákazníka. Nahrajte prosím "
        "verzi podepsanou kontaktní osobou zákazníka do {deadline}.",
    ),
    (
        "information",
        "old_dates",
        "Dates: ask for current dates",
        "The proof for {product} ({reference}) has no dates, or only old ones. Please upload a "
        "proof with the current dates of the engagement by {deadline}.",
        "Důkaz pro {product} ({reference}) nemá žádná data, nebo jen stará. Nahrajte prosím "
        "důkaz s aktuálními daty spolupráce do {deadline}.",
    ),
    (
        "information",
        "no_services",
        "Services: ask for a description",
        "The proof for {product} ({reference}) does not describe the services {partner} "
        "delivered. Please add what was delivered, and when, by {deadline}.",
        "Důkaz pro {product} ({reference}) nepopisuje služby, které společnost {partner} "
        "poskytla. Doplňte prosím, co a kdy bylo poskytnuto, do {deadline}.",
    ),
    (
        "information",
        "product_missing",
        "Product missing: ask for a complete proof",
        "{product} is not named in the proof of {reference}. Please upload a proof that names "
        "every claimed product by {deadline}.",
        "Produkt {product} není v důkazu k {reference} uveden. Nahrajte prosím důkaz, který "
        "uvádí všechny nárokované produkty, do {deadline}.",
    ),
    (
        "rejection",
        "insufficient_proof",
        "Insufficient proof",
        "The proof of execution for {product} ({reference}) does not show that {partner} drove "
        "the customer's purchase or usage. You may dispute this rejection once, with new proof, "
        "until {deadline}.",
        "Důkaz o provedení pro {product} ({reference}) neprokazuje, že společnost {partner} "
        "přispěla k nákupu nebo využívání u zákazníka. Proti zamítnutí se můžete jednou odvolat "
        "s novým důkazem do {deadline}.",
    ),
    (
        "rejection",
        "partner_request",
        "At the partner's request",
        "As you asked, the claim for {product} ({reference}) is rejected. File a new request "
        "with the right MPN ID and activity.",
        "Na vaši žádost je nárok na {product} ({reference}) zamítnut. Podejte novou žádost se "
        "správným MPN ID a aktivitou.",
    ),
    (
        "case_decision",
        "",
        "Weighed on the newest proof",
        "The claims for {product} were weighed on each party's most recent proof of execution; "
        "the decision went to the proof that best showed the partner's work for this customer.",
        "Nároky na {product} byly posouzeny podle nejnovějšího důkazu o provedení každé strany; "
        "rozhodnutí padlo pro důkaz, který nejlépe prokázal práci partnera pro tohoto zákazníka.",
    ),
    (
        "dispute_answer",
        "",
        "Dispute upheld",
        "Your new proof for {product} ({reference}) shows the work the rejection missed: the "
        "claim is approved.",
        "Váš nový důkaz pro {product} ({reference}) prokazuje práci, která při zamítnutí "
        "chyběla: nárok je schválen.",
    ),
    (
        "dispute_answer",
        "",
        "Dispute refused",
        "The new proof for {product} ({reference}) does not change the decision: the rejection "
        "stands and is final.",
        "Nový důkaz pro {product} ({reference}) rozhodnutí nemění: zamítnutí platí a je konečné.",
    ),
]


def create(apps, schema_editor):
    ResponseTemplate = apps.get_model("disputes", "ResponseTemplate")
    ResponseTemplate.objects.bulk_create(
        ResponseTemplate(kind=kind, reason=reason, name=name, text_en=english, text_cs=czech)
        for kind, reason, name, english, czech in DEFAULTS
    )


class Migration(migrations.Migration):
    dependencies = [("disputes", "0005_response_templates")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
